package web

// viewModel is what a page template may be given: a type made for that page
// from released data, never a domain record. Each page's data type declares
// itself one with the method below, so that a handler cannot hand a template
// a referral, research or any other record as it came from the store: that
// does not compile. Personal data in a view model comes from a sharing.View
// (sections, free text released by View.Text); the sealed types print only
// "[sealed]" if one is ever embedded.
type viewModel interface{ viewModel() }

// noData is the view model of a page that shows nothing but its template.
type noData struct{}

func (noData) viewModel() {}

// overrideRows is the list of requests waiting for a supervisor.
type overrideRows []overrideRow

// The view model of each page.
func (auditSearchData) viewModel()     {}
func (confidentialityData) viewModel() {}
func (consentPageData) viewModel()     {}
func (homeData) viewModel()            {}
func (mailboxData) viewModel()         {}
func (maracActionData) viewModel()     {}
func (maracActionsData) viewModel()    {}
func (maracCaseData) viewModel()       {}
func (maracCasesData) viewModel()      {}
func (meetingData) viewModel()         {}
func (membershipsData) viewModel()     {}
func (newMeetingData) viewModel()      {}
func (newOverrideData) viewModel()     {}
func (outcomesData) viewModel()        {}
func (overrideData) viewModel()        {}
func (papersData) viewModel()          {}
func (referralAuditData) viewModel()   {}
func (maracDashboardData) viewModel()  {}
func (errorPage) viewModel()           {}
func (linksPageData) viewModel()       {}
func (outboxData) viewModel()          {}
func (checkPage) viewModel()           {}
func (listPage) viewModel()            {}
func (referralPage) viewModel()        {}
func (stepPage) viewModel()            {}
func (overrideRows) viewModel()        {}
func (justiceFormData) viewModel()     {}
func (endingData) viewModel()          {}
func (overdueData) viewModel()         {}
func (webhooksData) viewModel()        {}
func (verifyPage) viewModel()          {}
