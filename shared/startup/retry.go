// Package startup runs the steps that need a dependency which may come up
// after the service: each step is retried with exponential backoff until it
// succeeds or the service stops.
package startup

import (
	"context"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// MaxInterval bounds the wait between two attempts.
const MaxInterval = 5 * time.Second

// Retry calls step until it returns nil or ctx is done, waiting longer after
// each failure, up to MaxInterval. It logs each failure with the name of the
// step and the wait before the next attempt, and returns ctx's error if ctx
// ends first.
func Retry(ctx context.Context, logger *slog.Logger, name string, step func(context.Context) error) error {
	policy := backoff.NewExponentialBackOff()
	policy.InitialInterval = 100 * time.Millisecond
	policy.MaxInterval = MaxInterval

	attempt := 0
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		return struct{}{}, step(ctx)
	},
		backoff.WithBackOff(policy),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			logger.WarnContext(ctx, "Startup step failed, retrying",
				"step", name, "attempt", attempt, "retry_in", wait.Round(time.Millisecond), "error", err)
		}),
	)
	if err != nil {
		return err
	}

	if attempt > 1 && ctx.Err() == nil {
		logger.InfoContext(ctx, "Startup step succeeded after retries", "step", name, "attempts", attempt)
	}
	return nil
}
