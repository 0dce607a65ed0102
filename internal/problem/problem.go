// Package problem is the hub's one error type: a code that says what kind of
// failure it is and a message that is safe to show to the person who caused it.
package problem

import (
	"errors"
	"fmt"
)

// Code names a kind of failure. The web package maps each to an HTTP status.
type Code string

// The codes the hub uses. Keep this list short: a new code needs a new status.
const (
	Invalid      Code = "invalid"      // input failed validation (422); Fields says where
	Malformed    Code = "malformed"    // input could not be parsed (400)
	Unauthorized Code = "unauthorized" // not signed in, or a bad token (401)
	Forbidden    Code = "forbidden"    // the role may not do this (403)
	NotFound     Code = "not_found"    // missing, or not visible to the caller (404)
	Conflict     Code = "conflict"     // the state does not allow it (409)
	Stale        Code = "stale"        // If-Match did not match (412)
	NoIfMatch    Code = "if_match"     // an update that needs If-Match came without it (428)
	TooLarge     Code = "too_large"    // body over the limit (413)
	TooMany      Code = "too_many"     // rate limited (429)
	Internal     Code = "internal"     // our fault; logged, never described (500)
	Unavailable  Code = "unavailable"  // a dependency is down (503)
)

// Error is a failure with a code and a message safe to show. Fields maps a
// field path (victim.name) to what is wrong with it.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// New returns an Error with the code and a safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns a validation Error for one field.
func Invalidf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: "Check the highlighted fields", Fields: map[string]string{field: msg}}
}

// Fields returns a validation Error naming every field that is wrong.
func Fields(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "Check the highlighted fields", Fields: fields}
}

// CodeOf returns the code of err, or Internal when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
