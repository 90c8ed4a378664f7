// Package broadcast fans each project's HMR signals out to its subscribers:
// a Hub assigns every signal the project's next sequence number, keeps the
// most recent ones as history for resuming subscribers, and hands each
// signal to every subscriber's bounded queue without ever waiting for one.
// It knows no transport; the gRPC and WebSocket adapters call Subscribe and
// then Next in a loop, converting what they get.
//
// # Sequence numbers
//
// Within one hub (one epoch) a project's sequenced events (every body but
// Hello and Heartbeat, see signal.Sequenced) are numbered 1, 2, 3, ...
// without gaps. Hello and Heartbeat carry the head seq and take none. A
// project that is removed and added again continues its numbering, so an
// (epoch, project, seq) triple never names two different events.
//
// # Ordering
//
// Each subscription sees, in order: one Hello; then either the replayed
// history or a single resync FullReload (see Resume); then every event
// published after it subscribed, in seq order, with no gap and no
// duplicate. Subscribe registers and takes its snapshot under the same lock
// Publish holds while numbering and enqueueing, so an event is either in the
// snapshot or in the live queue, never both and never neither. All
// subscribers receive the same *signal.Event pointer; nobody may modify it
// (transports cache their encodings in Event.Encoded). PublishBatch numbers
// the events of one batch consecutively, under one lock.
//
// # Resume
//
// A subscriber that passes the epoch and the last seq it saw (etcd-watch
// style) gets Hello{Resumed: true} followed by exactly the events after that
// seq, if the epoch is the hub's and every one of them is still in history.
// If not — another epoch (the daemon restarted), a seq beyond the head, or a
// seq older than the history ring — it gets Hello{Resumed: false} and one
// FullReload{Cause: CauseResync, Path: "*"} whose Reason says which (for
// compaction: where history now starts), carrying the head seq; then it goes
// on live. The resync event is built for that subscriber alone and is not
// part of the history. An empty epoch means "start live": Hello, then live.
//
// History keeps at most Options.History events and Options.HistoryBytes
// bytes of them (counted by Event.Size, about the encoded size), dropping
// the oldest first; an event larger than HistoryBytes is not kept at all.
// The ring holds no reference to a dropped event.
//
// # Backpressure
//
// Publish never blocks and never waits on a subscriber: it appends to each
// subscriber's queue (a ring) under that queue's mutex and pokes a one-slot
// notify channel. A subscriber is cut off when an event arrives and its
// queue is past one of three limits: QueueSize events queued, QueueBytes
// bytes queued, or its oldest queued event older than LagTimeout (by
// Options.Now). A sweep that runs every LagTimeout/4 while anything is
// queued applies the last one even when nothing is published, so a
// subscriber that stopped reading is released within LagTimeout and a
// quarter. A cut-off subscriber receives nothing more; Next returns what
// was queued before the cut and then a *SlowConsumerError (errors.Is
// ErrSlowConsumer) saying which limit and naming the last seq it received,
// from which it can resume. Nothing is dropped silently, and one slow
// subscriber never delays another.
//
// The limits apply to the queue as an event or batch finds it: a batch
// (PublishBatch) is taken whole by every subscriber within its limits, even
// past QueueSize, so one large batch never cuts off a subscriber that keeps
// up; its ring grows for the batch and returns to its size once read. The
// Hello and replayed events of a resume sit outside the bounds, so a long
// replay cannot cut off a subscriber that just arrived.
//
// # Ending
//
// Next returns ctx.Err() when its context ends. Otherwise a subscription
// ends with: the slow-consumer error; ErrProjectRemoved (RemoveProject);
// ErrClosed (Hub.Close, after the queued events; Subscription.Close, at
// once, dropping them). A Next that has waited Options.Heartbeat with nothing to deliver
// returns a Heartbeat event instead, so idle streams stay alive.
//
// # Concurrency
//
// Hub methods are safe for concurrent use. Next must be called by one
// goroutine at a time per subscription (a transport's send loop); Close and
// ID may be called from anywhere. No lock is held while anything can block:
// the hub and project locks cover only bookkeeping and non-blocking queue
// appends; there is no goroutine per subscriber (the lag sweep runs on a
// timer of the hub's).
package broadcast
