package httpapi

import (
	"net/http"
)

// maxIdempotencyKeyBytes bounds the Idempotency-Key header, which becomes a
// JetStream message ID.
const maxIdempotencyKeyBytes = 128

// idempotencyKey returns the request's Idempotency-Key header, or "" when
// absent. A key is 1 to 128 printable ASCII characters without spaces.
func idempotencyKey(r *http.Request) (string, error) {
	values := r.Header.Values("Idempotency-Key")
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", badRequest("Idempotency-Key", ruleDuplicate, "Idempotency-Key header appears %d times: send it once", len(values))
	}

	key := values[0]
	if len(key) == 0 || len(key) > maxIdempotencyKeyBytes {
		return "", badRequest("Idempotency-Key", ruleFormat, "Idempotency-Key must be 1 to %d characters, got %d", maxIdempotencyKeyBytes, len(key))
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return "", badRequest("Idempotency-Key", ruleFormat, "Idempotency-Key must be printable ASCII without spaces, got %q", key)
		}
	}
	return key, nil
}
