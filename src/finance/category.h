/* category.h - Plaid's personal finance categories (primaries) and the flow each one gives a transaction. */
#ifndef MYNT_FINANCE_CATEGORY_H
#define MYNT_FINANCE_CATEGORY_H

#include <stdbool.h>
#include <stddef.h>

/* The group of transactions that have no category: Mynt's name, not one of Plaid's; it cannot be budgeted. */
#define FINANCE_UNCATEGORIZED "UNCATEGORIZED"

/* Returns the flow of a transaction from its personal_finance_category.primary (may be NULL):
 * "income" for INCOME; "transfer" for TRANSFER_IN, TRANSFER_OUT and LOAN_PAYMENTS (money moved
 * between the user's own accounts, credit-card payments included); "expense" for everything
 * else, an unknown or missing category included (a refund is a negative expense). Matching is
 * exact ("income" is an expense). Never NULL; static. */
const char *finance_flow(const char *primary);

/* Returns true when primary is exactly one of Plaid's primary categories (finance_categories);
 * false for NULL, FINANCE_UNCATEGORIZED and anything else. */
bool finance_category_known(const char *primary);

/* Returns true when a budget can be set on primary: it is known and its flow is "expense"
 * (so not INCOME, TRANSFER_IN, TRANSFER_OUT or LOAN_PAYMENTS). */
bool finance_category_budgetable(const char *primary);

/* Sets *out to Plaid's primary categories in the order of Plaid's taxonomy (static strings, a
 * static array) and returns how many there are. */
size_t finance_categories(const char *const **out);

#endif
