/* test_plaid_sim_data.c - unit tests for the Plaid simulator's dates and its generated bank data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "local/plaid_sim/plaid_data.h"
#include "support/unit_main.h"

static int32_t s_day(const char *text)
{
  int32_t d = 0;
  assert_int_equal(plaid_data_date_parse(text, &d), MYNT_OK);
  return d;
}

static void test_plaid_data_date_accepts_real_dates_only(void **state)
{
  (void)state;
  int32_t d = 7;
  assert_int_equal(s_day("1970-01-01"), 0);
  assert_int_equal(s_day("2024-02-29") + 1, s_day("2024-03-01"));
  assert_int_equal(plaid_data_date_parse("2025-02-30", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2023-02-29", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("1900-02-29", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2025-04-31", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2025-13-01", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2025-00-10", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2025-6-01", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("20250601", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2025-06-01T00:00:00Z", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("2025-06-0a", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse("", &d), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_data_date_parse(NULL, &d), MYNT_BAD_REQUEST);
  assert_int_equal(d, 7);
}

static void test_plaid_data_knows_the_sandbox_institutions(void **state)
{
  (void)state;
  assert_string_equal(plaid_data_institution_find("ins_109508")->name, "First Platypus Bank");
  assert_string_equal(plaid_data_institution_find("ins_109509")->name, "First Gingham Credit Union");
  assert_string_equal(plaid_data_institution_find("ins_109510")->name, "Tattersall Federal Credit Union");
  assert_string_equal(plaid_data_institution_find("ins_109511")->name, "Tartan Bank");
  assert_string_equal(plaid_data_institution_find("ins_109512")->name, "Houndstooth Bank");
  assert_null(plaid_data_institution_find("ins_1"));
  assert_int_equal(plaid_data_institution_count(), 5);
  plaid_data_item item;
  assert_int_equal(plaid_data_generate("ins_404", 1, s_day("2025-06-15"), &item), MYNT_NOT_FOUND);
}

static void test_plaid_data_same_seed_gives_same_data(void **state)
{
  (void)state;
  plaid_data_item a, b, c;
  const int32_t today = s_day("2025-06-15");
  assert_int_equal(plaid_data_generate("ins_109508", 42, today, &a), MYNT_OK);
  assert_int_equal(plaid_data_generate("ins_109508", 42, today, &b), MYNT_OK);
  assert_int_equal(plaid_data_generate("ins_109508", 43, today, &c), MYNT_OK);
  assert_int_equal(a.txn_count, b.txn_count);
  assert_true(a.txn_count > 1000);
  assert_memory_equal(a.accounts, b.accounts, sizeof a.accounts);
  for(size_t i = 0; i < a.txn_count; i++) {
    assert_string_equal(a.txns[i].transaction_id, b.txns[i].transaction_id);
    assert_int_equal(a.txns[i].amount_cents, b.txns[i].amount_cents);
    assert_int_equal(a.txns[i].date, b.txns[i].date);
  }
  assert_string_not_equal(a.accounts[0].account_id, c.accounts[0].account_id);
  assert_string_not_equal(a.txns[a.txn_count - 1].transaction_id, c.txns[c.txn_count - 1].transaction_id);
  plaid_data_item_free(&a);
  plaid_data_item_free(&b);
  plaid_data_item_free(&c);
}

static void test_plaid_data_covers_24_months_newest_first(void **state)
{
  (void)state;
  plaid_data_item item;
  const int32_t today = s_day("2025-06-15");
  assert_int_equal(plaid_data_generate("ins_109509", 7, today, &item), MYNT_OK);
  assert_int_equal(item.first_day, today - PLAID_DATA_HISTORY_DAYS);
  assert_int_equal(item.txns[0].date, today);
  assert_true(item.txns[item.txn_count - 1].date <= item.first_day + 2);
  for(size_t i = 0; i < item.txn_count; i++) {
    const plaid_data_txn *t = &item.txns[i];
    assert_true(t->date >= item.first_day && t->date <= today);
    assert_true(t->authorized_date <= t->date);
    assert_int_equal(strlen(t->transaction_id), PLAID_DATA_ID_LEN);
    assert_non_null(t->pfc_primary);
    assert_non_null(t->pfc_detailed);
    assert_non_null(t->category[0]);
    assert_true(t->name[0] != '\0');
    if(i > 0) {
      const plaid_data_txn *prev = &item.txns[i - 1];
      assert_true(prev->date > t->date ||
                  (prev->date == t->date && strcmp(prev->transaction_id, t->transaction_id) < 0));
    }
  }
  plaid_data_item_free(&item);
}

static size_t s_count_detailed(const plaid_data_item *item, plaid_data_account_kind account, const char *detailed,
                               int sign)
{
  size_t n = 0;
  for(size_t i = 0; i < item->txn_count; i++) {
    const plaid_data_txn *t = &item->txns[i];
    if(t->account == account && strcmp(t->pfc_detailed, detailed) == 0 &&
       (sign == 0 || (sign > 0 ? t->amount_cents > 0 : t->amount_cents < 0)))
      n++;
  }
  return n;
}

/* Whether item holds the other half of the move t: on account, of pfc_primary, the same day and
 * the opposite amount. */
static bool s_has_other_half(const plaid_data_item *item, const plaid_data_txn *t, plaid_data_account_kind account,
                             const char *pfc_primary)
{
  for(size_t k = 0; k < item->txn_count; k++) {
    const plaid_data_txn *u = &item->txns[k];
    if(u->account == account && strcmp(u->pfc_primary, pfc_primary) == 0 && u->date == t->date &&
       u->amount_cents == -t->amount_cents)
      return true;
  }
  return false;
}

static void test_plaid_data_has_the_flows_of_a_real_household(void **state)
{
  (void)state;
  plaid_data_item item;
  assert_int_equal(plaid_data_generate("ins_109510", 99, s_day("2025-06-15"), &item), MYNT_OK);
  size_t salaries = s_count_detailed(&item, PLAID_DATA_CHECKING, "INCOME_WAGES", -1);
  assert_true(salaries >= 23 && salaries <= 25);
  assert_true(s_count_detailed(&item, PLAID_DATA_CHECKING, "RENT_AND_UTILITIES_RENT", 1) >= 23);
  assert_true(s_count_detailed(&item, PLAID_DATA_CHECKING, "RENT_AND_UTILITIES_INTERNET_AND_CABLE", 1) >= 23);
  assert_true(s_count_detailed(&item, PLAID_DATA_CARD, "FOOD_AND_DRINK_GROCERIES", 1) > 100);
  assert_true(s_count_detailed(&item, PLAID_DATA_CARD, "FOOD_AND_DRINK_RESTAURANT", 1) +
                s_count_detailed(&item, PLAID_DATA_CARD, "FOOD_AND_DRINK_FAST_FOOD", 1) >
              100);
  assert_true(s_count_detailed(&item, PLAID_DATA_CARD, "ENTERTAINMENT_TV_AND_MOVIES", 1) >= 23);
  assert_true(s_count_detailed(&item, PLAID_DATA_CARD, "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES", -1) > 0);

  /* Every checking -> savings transfer has its other half on the same day. */
  size_t outs = 0;
  for(size_t i = 0; i < item.txn_count; i++) {
    const plaid_data_txn *t = &item.txns[i];
    if(t->account != PLAID_DATA_CHECKING || strcmp(t->pfc_primary, "TRANSFER_OUT") != 0 ||
       strcmp(t->pfc_detailed, "TRANSFER_OUT_SAVINGS") != 0)
      continue;
    outs++;
    assert_null(t->merchant_name);
    assert_true(s_has_other_half(&item, t, PLAID_DATA_SAVINGS, "TRANSFER_IN"));
  }
  assert_true(outs >= 23);

  /* Card payments: LOAN_PAYMENTS out of checking, the same amount into the card. */
  size_t payments = 0;
  for(size_t i = 0; i < item.txn_count; i++) {
    const plaid_data_txn *t = &item.txns[i];
    if(t->account != PLAID_DATA_CHECKING || strcmp(t->pfc_primary, "LOAN_PAYMENTS") != 0)
      continue;
    payments++;
    assert_true(t->amount_cents > 0);
    assert_true(s_has_other_half(&item, t, PLAID_DATA_CARD, "LOAN_PAYMENTS"));
  }
  assert_true(payments >= 23);
  plaid_data_item_free(&item);
}

static void test_plaid_data_has_pending_purchases_in_the_last_days(void **state)
{
  (void)state;
  for(int32_t today = s_day("2025-06-09"); today <= s_day("2025-06-15"); today++) {
    plaid_data_item item;
    size_t pending = 0;
    assert_int_equal(plaid_data_generate("ins_109511", 5, today, &item), MYNT_OK);
    for(size_t i = 0; i < item.txn_count; i++) {
      const plaid_data_txn *t = &item.txns[i];
      if(!t->pending) {
        continue;
      }
      pending++;
      assert_true(t->date >= today - 3);
      assert_int_equal(t->date, t->authorized_date);
      assert_string_equal(t->pending_transaction_id, "");
    }
    assert_true(pending >= 1);
    plaid_data_item_free(&item);
  }
}

/* The balances are the opening balance plus the posted transactions; pending only moves "available". */
static void test_plaid_data_balances_follow_from_the_transactions(void **state)
{
  (void)state;
  for(size_t inst = 0; inst < plaid_data_institution_count(); inst++) {
    for(uint64_t seed = 1; seed <= 4; seed++) {
      plaid_data_item item;
      int64_t posted[PLAID_DATA_ACCOUNT_COUNT] = {0}, pending[PLAID_DATA_ACCOUNT_COUNT] = {0};
      assert_int_equal(
        plaid_data_generate(plaid_data_institution_at(inst)->institution_id, seed * 7919, s_day("2025-06-15"), &item),
        MYNT_OK);
      /* walk oldest to newest to find the lowest checking balance */
      int64_t checking = item.accounts[PLAID_DATA_CHECKING].opening_cents, lowest = checking;
      for(size_t i = item.txn_count; i-- > 0;) {
        const plaid_data_txn *t = &item.txns[i];
        (t->pending ? pending : posted)[t->account] += t->amount_cents;
        if(t->account == PLAID_DATA_CHECKING && !t->pending) {
          checking -= t->amount_cents;
          lowest = checking < lowest ? checking : lowest;
        }
      }
      const plaid_data_account *chk = &item.accounts[PLAID_DATA_CHECKING];
      const plaid_data_account *sav = &item.accounts[PLAID_DATA_SAVINGS];
      const plaid_data_account *card = &item.accounts[PLAID_DATA_CARD];
      assert_int_equal(chk->current_cents, chk->opening_cents - posted[PLAID_DATA_CHECKING]);
      assert_int_equal(chk->available_cents, chk->current_cents - pending[PLAID_DATA_CHECKING]);
      assert_int_equal(sav->current_cents, sav->opening_cents - posted[PLAID_DATA_SAVINGS]);
      assert_int_equal(card->current_cents, card->opening_cents + posted[PLAID_DATA_CARD]);
      assert_int_equal(card->available_cents, card->limit_cents - card->current_cents - pending[PLAID_DATA_CARD]);
      assert_int_equal(chk->limit_cents, -1);
      assert_true(card->limit_cents > 0);
      assert_true(card->current_cents > 0 && card->current_cents < card->limit_cents);
      assert_true(lowest > 0);
      assert_true(chk->current_cents < 40000 * 100);
      assert_string_equal(chk->subtype, "checking");
      assert_string_equal(sav->subtype, "savings");
      assert_string_equal(card->type, "credit");
      plaid_data_item_free(&item);
    }
  }
}

/* A transaction keeps its id and amount as "today" moves on; a pending one posts under a new id
 * that names the pending one. */
static void test_plaid_data_ids_stay_stable_as_days_pass(void **state)
{
  (void)state;
  plaid_data_item before, after;
  const int32_t today = s_day("2025-06-15");
  assert_int_equal(plaid_data_generate("ins_109512", 11, today, &before), MYNT_OK);
  assert_int_equal(plaid_data_generate("ins_109512", 11, today + 5, &after), MYNT_OK);
  size_t same = 0, posted_later = 0;
  for(size_t i = 0; i < before.txn_count; i++) {
    const plaid_data_txn *t = &before.txns[i];
    if(t->date < after.first_day)
      continue;
    int found = 0;
    for(size_t k = 0; k < after.txn_count && !found; k++) {
      const plaid_data_txn *u = &after.txns[k];
      if(strcmp(u->transaction_id, t->transaction_id) == 0) {
        assert_int_equal(u->amount_cents, t->amount_cents);
        assert_int_equal(u->date, t->date);
        found = 1;
        same++;
      }
      else if(t->pending && strcmp(u->pending_transaction_id, t->transaction_id) == 0) {
        assert_int_equal(u->amount_cents, t->amount_cents);
        assert_false(u->pending);
        found = 1;
        posted_later++;
      }
    }
    assert_true(found);
  }
  assert_true(same > 1000);
  assert_true(posted_later >= 1);
  plaid_data_item_free(&before);
  plaid_data_item_free(&after);
}

UNIT_MAIN("plaid_sim_data", NULL, NULL,
          {
            cmocka_unit_test(test_plaid_data_date_accepts_real_dates_only),
            cmocka_unit_test(test_plaid_data_knows_the_sandbox_institutions),
            cmocka_unit_test(test_plaid_data_same_seed_gives_same_data),
            cmocka_unit_test(test_plaid_data_covers_24_months_newest_first),
            cmocka_unit_test(test_plaid_data_has_the_flows_of_a_real_household),
            cmocka_unit_test(test_plaid_data_has_pending_purchases_in_the_last_days),
            cmocka_unit_test(test_plaid_data_balances_follow_from_the_transactions),
            cmocka_unit_test(test_plaid_data_ids_stay_stable_as_days_pass),
          })
