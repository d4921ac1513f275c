package results

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store reads and writes results in Redis. It is safe for concurrent use.
type Store struct {
	rdb redis.UniversalClient
}

// NewStore returns a store on rdb.
func NewStore(rdb redis.UniversalClient) *Store {
	return &Store{rdb: rdb}
}

// saveValueScript stores a value unless one is stored already, so a value is
// never replaced, and a late duplicate of a job cannot change anything.
// KEYS: value, summary, index set. ARGV: value, digits, head, tail, time,
// index.
var saveValueScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'state', 'done', 'digits', ARGV[2], 'head', ARGV[3], 'tail', ARGV[4], 'updated_at', ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[6])
return 1
`)

// saveFailureScript records a failure unless a value is stored already.
// KEYS: value, summary, index set. ARGV: reason, time, index.
var saveFailureScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[2], 'state', 'failed', 'error', ARGV[1], 'updated_at', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[3])
return 1
`)

// SaveValue stores value, the decimal F(index), with its summary. It returns
// false without writing when a value is stored already.
func (s *Store) SaveValue(ctx context.Context, index uint64, value string) (bool, error) {
	head, tail := edges(value)
	stored, err := saveValueScript.Run(ctx, s.rdb,
		[]string{valueKey(index), summaryKey(index), keyIndexes},
		value, len(value), head, tail, time.Now().UTC().Format(time.RFC3339Nano), index,
	).Int()
	if err != nil {
		return false, fmt.Errorf("results: save value of index %d: %w", index, err)
	}
	return stored == 1, nil
}

// SaveFailure records that index failed for reason. It returns false without
// writing when a value is stored already, because a value always wins.
func (s *Store) SaveFailure(ctx context.Context, index uint64, reason string) (bool, error) {
	stored, err := saveFailureScript.Run(ctx, s.rdb,
		[]string{valueKey(index), summaryKey(index), keyIndexes},
		reason, time.Now().UTC().Format(time.RFC3339Nano), index,
	).Int()
	if err != nil {
		return false, fmt.Errorf("results: save failure of index %d: %w", index, err)
	}
	return stored == 1, nil
}

// HasValue reports whether the value of index is stored.
func (s *Store) HasValue(ctx context.Context, index uint64) (bool, error) {
	n, err := s.rdb.Exists(ctx, valueKey(index)).Result()
	if err != nil {
		return false, fmt.Errorf("results: check value of index %d: %w", index, err)
	}
	return n == 1, nil
}

// Value returns the whole decimal value of index, or ErrNotFound.
func (s *Store) Value(ctx context.Context, index uint64) (string, error) {
	value, err := s.rdb.Get(ctx, valueKey(index)).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("results: read value of index %d: %w", index, err)
	}
	return value, nil
}

// valueChunk is how much of a value CopyValue reads at a time.
const valueChunk = 1 << 20

// ValueSize returns the length in bytes of the value of index, or
// ErrNotFound.
func (s *Store) ValueSize(ctx context.Context, index uint64) (int64, error) {
	size, err := s.rdb.StrLen(ctx, valueKey(index)).Result()
	if err != nil {
		return 0, fmt.Errorf("results: read size of value of index %d: %w", index, err)
	}
	if size == 0 {
		// STRLEN returns 0 for a missing key; no stored value is empty.
		return 0, ErrNotFound
	}
	return size, nil
}

// CopyValue writes the first size bytes of the value of index to w, a chunk
// at a time, so a reader of a value of tens of megabytes holds one chunk in
// memory at a time. Values never change once stored, so the chunks belong
// to one value.
func (s *Store) CopyValue(ctx context.Context, index uint64, size int64, w io.Writer) error {
	for start := int64(0); start < size; start += valueChunk {
		end := min(start+valueChunk, size) - 1
		chunk, err := s.rdb.GetRange(ctx, valueKey(index), start, end).Result()
		if err != nil {
			return fmt.Errorf("results: read bytes %d to %d of value of index %d: %w", start, end, index, err)
		}
		if _, err := io.WriteString(w, chunk); err != nil {
			return err
		}
	}
	return nil
}

// Result returns the summary of index, or ErrNotFound.
func (s *Store) Result(ctx context.Context, index uint64) (Result, error) {
	found, err := s.Results(ctx, []uint64{index})
	if err != nil {
		return Result{}, err
	}
	r, ok := found[index]
	if !ok {
		return Result{}, ErrNotFound
	}
	return r, nil
}

// Results returns the summaries of those indexes that have one, in one
// round trip.
func (s *Store) Results(ctx context.Context, indexes []uint64) (map[uint64]Result, error) {
	commands := make([]*redis.MapStringStringCmd, len(indexes))
	_, err := s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, index := range indexes {
			commands[i] = pipe.HGetAll(ctx, summaryKey(index))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("results: read %d summaries: %w", len(indexes), err)
	}

	found := make(map[uint64]Result, len(indexes))
	for i, index := range indexes {
		fields := commands[i].Val()
		if len(fields) == 0 {
			continue
		}
		found[index] = parseSummary(index, fields)
	}
	return found, nil
}

// List returns up to limit summaries of indexes greater than or equal to
// from, in ascending order, and the index to continue from, or nil after the
// last page.
func (s *Store) List(ctx context.Context, from uint64, limit int) ([]Result, *uint64, error) {
	members, err := s.rdb.ZRangeByScore(ctx, keyIndexes, &redis.ZRangeBy{
		Min:   strconv.FormatUint(from, 10),
		Max:   "+inf",
		Count: int64(limit) + 1,
	}).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("results: list indexes from %d: %w", from, err)
	}

	indexes, err := parseIndexes(members)
	if err != nil {
		return nil, nil, err
	}

	var next *uint64
	if len(indexes) > limit {
		next = &indexes[limit]
		indexes = indexes[:limit]
	}

	found, err := s.Results(ctx, indexes)
	if err != nil {
		return nil, nil, err
	}
	list := make([]Result, 0, len(indexes))
	for _, index := range indexes {
		if r, ok := found[index]; ok {
			list = append(list, r)
		}
	}
	return list, next, nil
}

// valuesBatch bounds the values that EachValue holds in memory at once.
const valuesBatch = 16

// EachValue calls fn with every stored value in ascending order of index,
// reading a few values at a time, and stops at fn's first error. Each Redis
// call must finish within callTimeout, however long fn takes. Its cost
// grows with the total size of all values, so only the teaching app's
// endpoint uses it.
func (s *Store) EachValue(ctx context.Context, callTimeout time.Duration, fn func(index uint64, value string) error) error {
	listCtx, cancel := context.WithTimeout(ctx, callTimeout)
	members, err := s.rdb.ZRange(listCtx, keyIndexes, 0, -1).Result()
	cancel()
	if err != nil {
		return fmt.Errorf("results: list indexes: %w", err)
	}
	indexes, err := parseIndexes(members)
	if err != nil {
		return err
	}

	for start := 0; start < len(indexes); start += valuesBatch {
		batch := indexes[start:min(start+valuesBatch, len(indexes))]
		keys := make([]string, len(batch))
		for i, index := range batch {
			keys[i] = valueKey(index)
		}

		readCtx, cancel := context.WithTimeout(ctx, callTimeout)
		found, err := s.rdb.MGet(readCtx, keys...).Result()
		cancel()
		if err != nil {
			return fmt.Errorf("results: read %d values: %w", len(keys), err)
		}
		for i, value := range found {
			// A failed index has no value, so MGET returns nil for it.
			text, ok := value.(string)
			if !ok {
				continue
			}
			if err := fn(batch[i], text); err != nil {
				return err
			}
		}
	}
	return nil
}

// Ping checks that Redis responds.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("results: ping redis: %w", err)
	}
	return nil
}

func parseIndexes(members []string) ([]uint64, error) {
	indexes := make([]uint64, len(members))
	for i, member := range members {
		index, err := strconv.ParseUint(member, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("results: invalid member %q in %s: %w", member, keyIndexes, err)
		}
		indexes[i] = index
	}
	return indexes, nil
}

func parseSummary(index uint64, fields map[string]string) Result {
	r := Result{
		Index: index,
		State: State(fields["state"]),
		Head:  fields["head"],
		Tail:  fields["tail"],
		Error: fields["error"],
	}
	r.Digits, _ = strconv.Atoi(fields["digits"])
	r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, fields["updated_at"])
	return r
}

// keyLeasePrefix starts the key of the lease on computing an index.
const keyLeasePrefix = "fib:lease:"

func leaseKey(index uint64) string { return keyLeasePrefix + strconv.FormatUint(index, 10) }

// renewLeaseScript extends a lease only for its owner. KEYS: lease. ARGV:
// owner, time to live in milliseconds.
var renewLeaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// releaseLeaseScript deletes a lease only for its owner. KEYS: lease. ARGV:
// owner.
var releaseLeaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// TryLease takes the lease on computing index for owner, for ttl, unless
// another owner holds it, and reports whether it did. A lease keeps two
// workers from computing one index at once; it expires on its own when its
// owner dies.
func (s *Store) TryLease(ctx context.Context, index uint64, owner string, ttl time.Duration) (bool, error) {
	taken, err := s.rdb.SetNX(ctx, leaseKey(index), owner, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("results: take lease on index %d: %w", index, err)
	}
	return taken, nil
}

// RenewLease extends owner's lease on index to ttl from now, and reports
// false when owner no longer holds it.
func (s *Store) RenewLease(ctx context.Context, index uint64, owner string, ttl time.Duration) (bool, error) {
	renewed, err := renewLeaseScript.Run(ctx, s.rdb, []string{leaseKey(index)}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("results: renew lease on index %d: %w", index, err)
	}
	return renewed == 1, nil
}

// ReleaseLease ends owner's lease on index, if owner still holds it.
func (s *Store) ReleaseLease(ctx context.Context, index uint64, owner string) error {
	if err := releaseLeaseScript.Run(ctx, s.rdb, []string{leaseKey(index)}, owner).Err(); err != nil {
		return fmt.Errorf("results: release lease on index %d: %w", index, err)
	}
	return nil
}

// keyDataSet names the Redis data set. It disappears with the data, so a
// missing key means that Redis lost or never had the values.
const keyDataSet = "fib:data-set"

// DataSetID returns the ID stored by MarkDataSet, or "" when Redis has none.
func (s *Store) DataSetID(ctx context.Context) (string, error) {
	return s.marker(ctx, keyDataSet)
}

// MarkDataSet stores id as the data set's ID unless one is stored.
func (s *Store) MarkDataSet(ctx context.Context, id string) error {
	if err := s.rdb.SetNX(ctx, keyDataSet, id, 0).Err(); err != nil {
		return fmt.Errorf("results: write %s: %w", keyDataSet, err)
	}
	return nil
}

// keyStreamCreated holds the creation time of the job stream whose jobs the
// values came from, so a recreated stream, which lost its waiting jobs, can
// be noticed.
const keyStreamCreated = "fib:job-stream-created"

// StreamCreated returns the stream creation time stored by
// SetStreamCreated, or "" when none is stored.
func (s *Store) StreamCreated(ctx context.Context) (string, error) {
	return s.marker(ctx, keyStreamCreated)
}

// marker returns the string at key, or "" when the key is missing.
func (s *Store) marker(ctx context.Context, key string) (string, error) {
	text, err := s.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("results: read %s: %w", key, err)
	}
	return text, nil
}

// SetStreamCreated stores the job stream's creation time.
func (s *Store) SetStreamCreated(ctx context.Context, created string) error {
	if err := s.rdb.Set(ctx, keyStreamCreated, created, 0).Err(); err != nil {
		return fmt.Errorf("results: write %s: %w", keyStreamCreated, err)
	}
	return nil
}

// existsBatch bounds the indexes that Missing checks in one pipeline.
const existsBatch = 1000

// Missing returns those of indexes that have neither a value nor a recorded
// failure.
func (s *Store) Missing(ctx context.Context, indexes []uint64) ([]uint64, error) {
	var missing []uint64
	for start := 0; start < len(indexes); start += existsBatch {
		batch := indexes[start:min(start+existsBatch, len(indexes))]
		values := make([]*redis.IntCmd, len(batch))
		states := make([]*redis.StringCmd, len(batch))
		_, err := s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for i, index := range batch {
				values[i] = pipe.Exists(ctx, valueKey(index))
				states[i] = pipe.HGet(ctx, summaryKey(index), "state")
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("results: check %d values: %w", len(batch), err)
		}
		for i, index := range batch {
			// The pipeline reports only its first error, usually the
			// redis.Nil of an index without a summary, so each command is
			// checked too.
			if err := values[i].Err(); err != nil {
				return nil, fmt.Errorf("results: check value of index %d: %w", index, err)
			}
			if err := states[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
				return nil, fmt.Errorf("results: check state of index %d: %w", index, err)
			}
			if values[i].Val() == 0 && states[i].Val() != string(StateFailed) {
				missing = append(missing, index)
			}
		}
	}
	return missing, nil
}
