package sharing

import (
	"github.com/stalking-hub/hub/internal/agency"
	"github.com/stalking-hub/hub/internal/category"
)

// RuleOrders is the rule that shows orders with the victim's identity.
const RuleOrders = "orders_with_identity"

const reasonOrders = "shown with the victim's identity: your agency may contact the victim and must know the conditions that protect them"

// pairOrders applies the orders rule for an agency that may contact the
// victim: the orders and bail conditions that protect the victim ("must not
// enter Orchard Road") travel with the victim's identity, on the same basis,
// when the agreement lists orders, as safe contact does. Unlike safe
// contact, an agreement without orders withholds only the orders: knowing
// who the victim is without the conditions puts nobody at risk.
func pairOrders(ds *[category.Count]Decision, terms agency.Terms) {
	o, id := &ds[category.Orders], ds[category.Identity]
	if o.Shown || !id.Shown || !terms.Categories.Has(category.Orders) {
		return
	}
	*o = Decision{Category: category.Orders, Shown: true, Rule: RuleOrders, Basis: id.Basis, Ref: id.Ref, reason: reasonOrders}
}
