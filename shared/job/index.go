package job

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Validation rules, reported in RuleError.Rule.
const (
	RuleRequired    = "required"
	RuleInteger     = "integer"
	RuleNonNegative = "non_negative"
	RuleMax         = "max"
	RuleType        = "type"
)

// FieldIndex is the name of the index field in requests.
const FieldIndex = "index"

// RuleError reports input that breaks a validation rule.
type RuleError struct {
	Field   string // The input field, such as "index".
	Rule    string // One of the Rule constants.
	Message string // A sentence for people, naming the value and the rule.
}

func (e *RuleError) Error() string { return e.Message }

// maxShownInput bounds how much of a rejected input an error message repeats.
const maxShownInput = 40

// ParseIndex parses text, the decimal digits of an index, and checks that the
// index is at most max. Leading zeros are allowed, so "007" is 7. Signs,
// spaces, fractions, exponents and other bases are rejected with a
// *RuleError.
func ParseIndex(text string, max uint64) (uint64, error) {
	if text == "" {
		return 0, &RuleError{FieldIndex, RuleRequired, "index is required: send a non-negative integer"}
	}

	if text[0] == '-' && len(text) > 1 && allDigits(text[1:]) {
		return 0, &RuleError{FieldIndex, RuleNonNegative, fmt.Sprintf("index must be non-negative, got %s", quote(text))}
	}
	if !allDigits(text) {
		return 0, &RuleError{FieldIndex, RuleInteger, fmt.Sprintf("index must be a non-negative integer in decimal digits, got %s", quote(text))}
	}

	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n > max {
		// ParseUint fails here only when the digits overflow uint64.
		return 0, &RuleError{FieldIndex, RuleMax, fmt.Sprintf("index must be at most %d, got %s", max, quote(text))}
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quote shortens long input and escapes what is not printable UTF-8, so an
// error message stays readable whatever a client sent.
func quote(s string) string {
	if len(s) <= maxShownInput {
		return strconv.Quote(s)
	}
	cut := maxShownInput
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}
