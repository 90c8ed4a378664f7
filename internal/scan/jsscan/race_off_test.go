//go:build !race

package jsscan

const raceEnabled = false
