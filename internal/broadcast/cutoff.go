package broadcast

// CutOff cuts off every subscriber of the project exactly as Publish cuts
// off one whose queue is full: it is unregistered at once, Next returns
// what was already queued and then a *SlowConsumerError whose ResumeFrom is
// the last seq queued for it (Seq is the head plus one: the next event, as
// if that one had not fit). It returns how many subscribers were cut off,
// 0 for an unknown project.
//
// The daemon never calls it. It exists for tests of what follows a cut-off
// (transports, clients resuming; hmrdtest's Daemon.CutOff), which cannot
// fill a queue on demand behind a transport's own buffers.
func (h *Hub) CutOff(name string) int {
	p := h.project(name)
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.subs)
	for len(p.subs) > 0 {
		last := len(p.subs) - 1
		s := p.subs[last]
		p.drop(last)
		s.mu.Lock()
		resume := s.lastSeq
		s.mu.Unlock()
		s.cut(&SlowConsumerError{Subscriber: s.id, QueueCap: s.queueCap, Seq: p.head + 1, ResumeFrom: resume})
	}
	return n
}
