package web

import "github.com/labstack/echo/v4"

// apiAnswer is what the API may encode: a type made for the answer from a
// released View or from metadata, never a domain record. Each answer type
// declares itself one with the method below (answer_types.go), so that a
// handler cannot hand the encoder a referral, research or any record as it
// came from the store: that does not compile. TestAnswersAreTyped keeps
// every JSON answer of the package going through answer.
type apiAnswer interface{ apiAnswer() }

// answer writes an API answer as JSON: the one place the API encodes one.
func answer(c echo.Context, status int, body apiAnswer) error {
	return c.JSON(status, body)
}
