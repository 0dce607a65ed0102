package notify

import (
	"time"
)

// OutboxStats are the outbox's figures for monitoring.
type OutboxStats struct {
	Pending int           // neither delivered nor given up
	Oldest  time.Duration // how long the oldest pending one has waited; 0 with none
	Failed  int           // given up on: an admin should look
}
