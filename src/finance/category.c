/* category.c - Plaid's personal finance categories (primaries) and the flow each one gives a transaction. */
#include "finance/category.h"

#include <string.h>

/* Plaid's personal_finance_category.primary values, in the order of Plaid's taxonomy CSV (16 primaries;
 * plaid.com/docs/transactions/pfc-migration points to the CSV). Plaid documents no OTHER primary. */
static const char *const s_primaries[] = {
  "INCOME",
  "TRANSFER_IN",
  "TRANSFER_OUT",
  "LOAN_PAYMENTS",
  "BANK_FEES",
  "ENTERTAINMENT",
  "FOOD_AND_DRINK",
  "GENERAL_MERCHANDISE",
  "HOME_IMPROVEMENT",
  "MEDICAL",
  "PERSONAL_CARE",
  "GENERAL_SERVICES",
  "GOVERNMENT_AND_NON_PROFIT",
  "TRANSPORTATION",
  "TRAVEL",
  "RENT_AND_UTILITIES",
};

const char *finance_flow(const char *primary)
{
  if(!primary)
    return "expense";
  if(strcmp(primary, "INCOME") == 0)
    return "income";
  if(strcmp(primary, "TRANSFER_IN") == 0 || strcmp(primary, "TRANSFER_OUT") == 0 ||
     strcmp(primary, "LOAN_PAYMENTS") == 0)
    return "transfer";
  return "expense";
}

bool finance_category_known(const char *primary)
{
  if(!primary)
    return false;
  for(size_t i = 0; i < sizeof s_primaries / sizeof s_primaries[0]; i++)
    if(strcmp(primary, s_primaries[i]) == 0)
      return true;
  return false;
}

bool finance_category_budgetable(const char *primary)
{
  return finance_category_known(primary) && strcmp(finance_flow(primary), "expense") == 0;
}

size_t finance_categories(const char *const **out)
{
  *out = s_primaries;
  return sizeof s_primaries / sizeof s_primaries[0];
}
