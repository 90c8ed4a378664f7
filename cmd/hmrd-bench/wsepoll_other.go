//go:build !linux

package main

import (
	"context"
	"errors"
)

// epollReaderAvailable: the lean reader is Linux-only; elsewhere the
// fan-out reads with coder/websocket (--fanout-reader websocket).
const epollReaderAvailable = false

type wsPoller struct{}

func newWSPoller() (*wsPoller, error) {
	return nil, errors.New("--fanout-reader epoll needs Linux; use --fanout-reader websocket")
}

func (w *wsPoller) add(ctx context.Context, url, origin, subprotocol string, s *fanSub) error {
	return errors.New("no epoll reader on this platform")
}

func (w *wsPoller) run(ctx context.Context) {}
