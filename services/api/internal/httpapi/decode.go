package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/fibstack/fibstack/shared/job"
)

// maxBodyBytes bounds a submission's body. {"index": "…"} with the largest
// index and generous whitespace fits in far less.
const maxBodyBytes = 1024

// decodeSubmission reads the body of POST /api/values: a JSON object whose
// only member is "index", a JSON integer or a string of decimal digits.
func decodeSubmission(w http.ResponseWriter, r *http.Request, maxIndex uint64) (uint64, error) {
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return 0, err
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return 0, &Error{Status: http.StatusRequestEntityTooLarge, Field: "body", Rule: ruleMaxSize,
			Message: fmt.Sprintf("request body is larger than %d bytes", maxBodyBytes)}
	}
	if err != nil {
		return 0, badRequest("body", ruleJSON, "failed to read the request body: %v", err)
	}

	raw, err := indexMember(body)
	if err != nil {
		return 0, err
	}
	return parseIndexValue(raw, maxIndex)
}

func checkContentType(header string) error {
	if header == "" {
		return &Error{Status: http.StatusUnsupportedMediaType, Field: "Content-Type", Rule: ruleContentType,
			Message: "Content-Type header is missing: send application/json"}
	}
	mediaType, params, err := mime.ParseMediaType(header)
	if err != nil || mediaType != "application/json" {
		return &Error{Status: http.StatusUnsupportedMediaType, Field: "Content-Type", Rule: ruleContentType,
			Message: fmt.Sprintf("Content-Type must be application/json, got %q", header)}
	}
	if charset, ok := params["charset"]; ok && !strings.EqualFold(charset, "utf-8") {
		return &Error{Status: http.StatusUnsupportedMediaType, Field: "Content-Type", Rule: ruleContentType,
			Message: fmt.Sprintf("JSON must be UTF-8, got charset %q", charset)}
	}
	return nil
}

// indexMember returns the raw JSON value of the "index" member of body. It
// walks the tokens itself because encoding/json silently keeps the last of
// duplicate keys and ignores trailing data.
func indexMember(body []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("body", ruleJSON, `request body is empty: send {"index": <non-negative integer>}`)
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()

	open, err := dec.Token()
	if err != nil {
		return nil, badRequest("body", ruleJSON, "request body is not valid JSON: %v", err)
	}
	if delim, ok := open.(json.Delim); !ok || delim != '{' {
		return nil, badRequest("body", ruleJSON, `request body must be a JSON object like {"index": 30}`)
	}

	var index json.RawMessage
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, badRequest("body", ruleJSON, "request body is not valid JSON: %v", err)
		}
		name := key.(string) // Object keys are always strings.

		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, badRequest("body", ruleJSON, "request body is not valid JSON: %v", err)
		}

		switch {
		case name != job.FieldIndex:
			return nil, badRequest(name, ruleUnknown, "unknown field %q: the body takes only %q", name, job.FieldIndex)
		case index != nil:
			return nil, badRequest(name, ruleDuplicate, "field %q appears more than once", name)
		}
		index = value
	}

	if _, err := dec.Token(); err != nil {
		return nil, badRequest("body", ruleJSON, "request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("body", ruleJSON, "request body has data after the JSON object")
	}

	if index == nil {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Field: job.FieldIndex, Rule: job.RuleRequired,
			Message: `index is required: send {"index": <non-negative integer>}`}
	}
	return index, nil
}

// parseIndexValue accepts a JSON number without fraction or exponent, or a
// JSON string of decimal digits, so "007" and 7 are the same index.
func parseIndexValue(raw json.RawMessage, maxIndex uint64) (uint64, error) {
	switch raw[0] {
	case '"':
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, badRequest(job.FieldIndex, ruleJSON, "index is not a valid JSON string: %v", err)
		}
		return job.ParseIndex(text, maxIndex)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return job.ParseIndex(string(raw), maxIndex)
	default:
		return 0, &Error{Status: http.StatusUnprocessableEntity, Field: job.FieldIndex, Rule: job.RuleType,
			Message: fmt.Sprintf("index must be a non-negative integer or a string of decimal digits, got %s", jsonKind(raw))}
	}
}

func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '[':
		return "an array"
	case '{':
		return "an object"
	}
	return "an invalid value"
}
