package job_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/shared/job"
)

func TestParseIndexAccepts(t *testing.T) {
	tests := []struct {
		text string
		want uint64
	}{
		{"0", 0},
		{"1", 1},
		{"30", 30},
		{"007", 7},
		{"1000", 1000},
		{"00000000000000000000000000000000000000001000", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := job.ParseIndex(tt.text, 1000)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseIndexRejects(t *testing.T) {
	tests := []struct {
		name string
		text string
		rule string
	}{
		{"empty", "", job.RuleRequired},
		{"negative", "-5", job.RuleNonNegative},
		{"minus sign only", "-", job.RuleInteger},
		{"plus sign", "+5", job.RuleInteger},
		{"fraction", "1.5", job.RuleInteger},
		{"exponent", "1e3", job.RuleInteger},
		{"hex", "0x1f", job.RuleInteger},
		{"space inside", "1 0", job.RuleInteger},
		{"leading space", " 10", job.RuleInteger},
		{"letters", "abc", job.RuleInteger},
		{"unicode digits", "١٢", job.RuleInteger},
		{"invalid utf-8", "\xff\xfe", job.RuleInteger},
		{"over max", "1001", job.RuleMax},
		{"over uint64", "99999999999999999999999999", job.RuleMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := job.ParseIndex(tt.text, 1000)

			var ruleErr *job.RuleError
			require.True(t, errors.As(err, &ruleErr), "error %v is not a *RuleError", err)
			assert.Equal(t, job.FieldIndex, ruleErr.Field)
			assert.Equal(t, tt.rule, ruleErr.Rule)
			assert.Contains(t, ruleErr.Message, "index")
		})
	}
}

func TestParseIndexShortensLongInput(t *testing.T) {
	_, err := job.ParseIndex(strings.Repeat("x", 10_000), 1000)

	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200)
	assert.Contains(t, err.Error(), "10000 bytes")
}

func TestParsePayload(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    uint64
		rule    string
	}{
		{"plain", []byte("31"), 31, ""},
		{"trailing newline", []byte("31\n"), 31, ""},
		{"leading zeros", []byte("0031"), 31, ""},
		{"empty", nil, 0, job.RuleRequired},
		{"only whitespace", []byte(" \n"), 0, job.RuleRequired},
		{"word", []byte("abc"), 0, job.RuleInteger},
		{"negative", []byte("-5"), 0, job.RuleNonNegative},
		{"fraction", []byte("1.5"), 0, job.RuleInteger},
		{"json object", []byte(`{"index":5}`), 0, job.RuleInteger},
		{"json string", []byte(`"5"`), 0, job.RuleInteger},
		{"invalid utf-8", []byte{0xff, 0x35}, 0, job.RuleInteger},
		{"megabyte of digits", []byte(strings.Repeat("9", 1<<20)), 0, job.RuleMax},
		{"over max", []byte("1001"), 0, job.RuleMax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := job.ParsePayload(tt.payload, 1000)
			if tt.rule == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}

			var ruleErr *job.RuleError
			require.True(t, errors.As(err, &ruleErr), "error %v is not a *RuleError", err)
			assert.Equal(t, tt.rule, ruleErr.Rule)
		})
	}
}
