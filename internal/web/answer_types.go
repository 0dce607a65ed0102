package web

import "github.com/stalking-hub/hub/internal/report"

// jsonObject is an answer built key by key, where the keys an answer
// carries vary; its values are metadata, or text its handler had released.
type jsonObject map[string]any

// Named wrappers for answers that were anonymous structs or another
// package's type.
type (
	auditPageJSON struct {
		Entries []auditJSON `json:"entries"`
		Next    string      `json:"next_cursor,omitempty"`
	}
	webhookListJSON struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}
	// webhookCreatedJSON is the one answer that carries a webhook's secret.
	webhookCreatedJSON struct {
		webhookJSON
		Secret string `json:"secret"`
	}
	maracQueueJSON struct {
		Panel               string                `json:"panel"`
		EscalationIncidents int                   `json:"escalation_incidents"`
		Referrals           []maracQueueEntryJSON `json:"referrals"`
	}
	maracMeetingsJSON struct {
		Upcoming []maracMeetingJSON `json:"upcoming"`
		Past     []maracMeetingJSON `json:"past"`
	}
	maracActionsJSON struct {
		Actions []maracActionJSON `json:"actions"`
	}
	breakGlassReadsJSON struct {
		Reads []breakGlassJSON `json:"reads"`
	}
	healthJSON struct {
		Status string `json:"status"`
	}
	agenciesJSON struct {
		Agencies []agencyJSON `json:"agencies"`
	}
	// outcomesJSON is the outcome figures: counts, never a person.
	outcomesJSON struct{ report.Figures }
)

// The answers of the API.
func (jsonObject) apiAnswer()             {}
func (auditPageJSON) apiAnswer()          {}
func (webhookListJSON) apiAnswer()        {}
func (webhookCreatedJSON) apiAnswer()     {}
func (maracQueueJSON) apiAnswer()         {}
func (maracMeetingsJSON) apiAnswer()      {}
func (maracActionsJSON) apiAnswer()       {}
func (breakGlassReadsJSON) apiAnswer()    {}
func (healthJSON) apiAnswer()             {}
func (agenciesJSON) apiAnswer()           {}
func (outcomesJSON) apiAnswer()           {}
func (errorBody) apiAnswer()              {}
func (eventsJSON) apiAnswer()             {}
func (listJSON) apiAnswer()               {}
func (linksJSON) apiAnswer()              {}
func (maracActionJSON) apiAnswer()        {}
func (maracAttendanceJSON) apiAnswer()    {}
func (maracAttendeeJSON) apiAnswer()      {}
func (maracCaseDetailJSON) apiAnswer()    {}
func (maracCaseJSON) apiAnswer()          {}
func (maracMinutesJSON) apiAnswer()       {}
func (maracApologiesJSON) apiAnswer()     {}
func (maracMeetingDetailJSON) apiAnswer() {}
func (maracPapersJSON) apiAnswer()        {}
func (maracResearchJSON) apiAnswer()      {}
func (meJSON) apiAnswer()                 {}
func (releasedJSON) apiAnswer()           {}
func (restrictionJSON) apiAnswer()        {}
func (shareJSON) apiAnswer()              {}
func (previewJSON) apiAnswer()            {}
func (threadsJSON) apiAnswer()            {}
