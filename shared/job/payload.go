package job

import (
	"bytes"
	"fmt"
)

// maxPayloadBytes bounds the payload that ParsePayload reads. The longest
// valid payload is a uint64 in decimal with some leading zeros and a newline.
const maxPayloadBytes = 64

// ParsePayload parses a job payload. It accepts the same text as ParseIndex,
// surrounded by optional ASCII whitespace, because shell tools often append a
// newline.
func ParsePayload(payload []byte, max uint64) (uint64, error) {
	if len(payload) > maxPayloadBytes {
		return 0, &RuleError{FieldIndex, RuleMax, fmt.Sprintf("job payload is %d bytes: an index has at most %d", len(payload), maxPayloadBytes)}
	}
	return ParseIndex(string(bytes.TrimSpace(payload)), max)
}
