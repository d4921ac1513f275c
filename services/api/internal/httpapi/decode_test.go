package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fibstack/fibstack/shared/job"
)

func TestDecodeSubmissionAccepts(t *testing.T) {
	tests := []struct {
		name string
		body string
		want uint64
	}{
		{"integer", `{"index": 30}`, 30},
		{"string", `{"index": "30"}`, 30},
		{"leading zeros", `{"index": "007"}`, 7},
		{"zero", `{"index": 0}`, 0},
		{"max", `{"index": 1000}`, 1000},
		{"whitespace around", " \n{ \"index\" : 5 }\n", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeSubmission(httptest.NewRecorder(), newSubmission(tt.body, "application/json"), 1000)

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeSubmissionRejects(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		field       string
		rule        string
	}{
		{"negative", `{"index": -1}`, "application/json", 422, "index", job.RuleNonNegative},
		{"fraction", `{"index": 2.5}`, "application/json", 422, "index", job.RuleInteger},
		{"exponent", `{"index": 1E2}`, "application/json", 422, "index", job.RuleInteger},
		{"over max", `{"index": 1001}`, "application/json", 422, "index", job.RuleMax},
		{"null", `{"index": null}`, "application/json", 422, "index", job.RuleType},
		{"object", `{"index": {}}`, "application/json", 422, "index", job.RuleType},
		{"missing", `{}`, "application/json", 422, "index", job.RuleRequired},
		{"duplicate", `{"index": 1, "index": 2}`, "application/json", 400, "index", ruleDuplicate},
		{"unknown", `{"size": 1}`, "application/json", 400, "size", ruleUnknown},
		{"trailing", `{"index": 1}x`, "application/json", 400, "body", ruleJSON},
		{"array", `[1]`, "application/json", 400, "body", ruleJSON},
		{"empty", ``, "application/json", 400, "body", ruleJSON},
		{"too large", `{"index": "` + strings.Repeat("1", 2000) + `"}`, "application/json", 413, "body", ruleMaxSize},
		{"form", `index=1`, "application/x-www-form-urlencoded", 415, "Content-Type", ruleContentType},
		{"utf-16", `{"index": 1}`, "application/json; charset=utf-16", 415, "Content-Type", ruleContentType},
		{"missing type", `{"index": 1}`, "", 415, "Content-Type", ruleContentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeSubmission(httptest.NewRecorder(), newSubmission(tt.body, tt.contentType), 1000)

			status, field, rule := describe(t, err)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.field, field)
			assert.Equal(t, tt.rule, rule)
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
		rule    string
	}{
		{"absent", nil, "", ""},
		{"plain", []string{"order-17"}, "order-17", ""},
		{"space", []string{"a b"}, "", ruleFormat},
		{"control character", []string{"a\tb"}, "", ruleFormat},
		{"too long", []string{strings.Repeat("k", 129)}, "", ruleFormat},
		{"twice", []string{"a", "b"}, "", ruleDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/api/values", nil)
			for _, value := range tt.headers {
				r.Header.Add("Idempotency-Key", value)
			}

			got, err := idempotencyKey(r)
			if tt.rule == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			_, field, rule := describe(t, err)
			assert.Equal(t, "Idempotency-Key", field)
			assert.Equal(t, tt.rule, rule)
		})
	}
}

func newSubmission(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/values", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// describe returns the status, field and rule that writeError would report.
func describe(t *testing.T, err error) (status int, field, rule string) {
	t.Helper()

	var apiErr *Error
	var ruleErr *job.RuleError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.Status, apiErr.Field, apiErr.Rule
	case errors.As(err, &ruleErr):
		return http.StatusUnprocessableEntity, ruleErr.Field, ruleErr.Rule
	}
	t.Fatalf("error %v is neither an *Error nor a *job.RuleError", err)
	return 0, "", ""
}
