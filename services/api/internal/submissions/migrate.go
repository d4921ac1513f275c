package submissions

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies the embedded migrations that the database lacks. Several
// API instances may call it at once: a Postgres advisory lock lets one apply
// them while the others wait.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("submissions: open embedded migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("submissions: create migration lock: %w", err)
	}

	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()

	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("submissions: prepare migrations: %w", err)
	}

	applied, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("submissions: apply migrations: %w", err)
	}
	for _, result := range applied {
		logger.InfoContext(ctx, "Applied migration", "version", result.Source.Version, "file", result.Source.Path, "duration", result.Duration)
	}
	return nil
}
