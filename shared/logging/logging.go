// Package logging builds the structured logger that every service uses.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/fibstack/fibstack/shared/config"
)

// New returns a logger writing to w in cfg's format and level, with the
// attribute service set to name.
func New(w io.Writer, cfg config.Log, name string) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		return nil, fmt.Errorf("logging: invalid LOG_LEVEL %q: use debug, info, warn or error", cfg.Level)
	}
	options := &slog.HandlerOptions{Level: level}

	var handler slog.Handler
	switch strings.ToLower(cfg.Format) {
	case "json":
		handler = slog.NewJSONHandler(w, options)
	case "text":
		handler = slog.NewTextHandler(w, options)
	default:
		return nil, fmt.Errorf("logging: invalid LOG_FORMAT %q: use json or text", cfg.Format)
	}
	return slog.New(handler).With("service", name), nil
}
