/* plaid_data.c - generates an item's accounts and 24 months of realistic transactions from (institution, seed, today). */
#include "local/plaid_sim/plaid_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

/* ---- static tables ---- */

static const plaid_data_institution s_institutions[] = {
  {"ins_109508", "First Platypus Bank", "PLATYPUS"},
  {"ins_109509", "First Gingham Credit Union", "GINGHAM CU"},
  {"ins_109510", "Tattersall Federal Credit Union", "TATTERSALL FCU"},
  {"ins_109511", "Tartan Bank", "TARTAN"},
  {"ins_109512", "Houndstooth Bank", "HOUNDSTOOTH"},
};
#define S_INSTITUTION_COUNT (sizeof s_institutions / sizeof s_institutions[0])

/* Three shopping streets per home city; an item lives in one city. */
static const plaid_data_place s_places[] = {
  {"1 Ferry Building", "San Francisco", "CA", "94111", 37.7955, -122.3937},
  {"2675 Geary Blvd", "San Francisco", "CA", "94118", 37.7825, -122.4470},
  {"555 9th St", "San Francisco", "CA", "94103", 37.7706, -122.4078},
  {"1400 Pine St", "Seattle", "WA", "98101", 47.6150, -122.3270},
  {"2001 Western Ave", "Seattle", "WA", "98121", 47.6110, -122.3440},
  {"4555 Roosevelt Way NE", "Seattle", "WA", "98105", 47.6625, -122.3175},
  {"1100 S Lamar Blvd", "Austin", "TX", "78704", 30.2540, -97.7630},
  {"525 N Lamar Blvd", "Austin", "TX", "78703", 30.2700, -97.7530},
  {"4001 N Lamar Blvd", "Austin", "TX", "78756", 30.3070, -97.7400},
  {"600 N Broad St", "Philadelphia", "PA", "19130", 39.9660, -75.1610},
  {"1324 Walnut St", "Philadelphia", "PA", "19107", 39.9490, -75.1640},
  {"2101 Pennsylvania Ave", "Philadelphia", "PA", "19130", 39.9640, -75.1770},
};
#define S_CITY_COUNT 4

/* What a transaction is: who, how, and how Plaid would categorise it. */
typedef struct {
  const char *tag;           /* stable per kind; part of every id */
  const char *merchant_name; /* NULL for transfers and payments */
  const char *descriptor;    /* start of the bank's descriptor ("name") */
  const char *website;
  const char *channel;
  const char *type;
  const char *pfc_primary;
  const char *pfc_detailed;
  const char *confidence;
  const char *category[3];
  const char *category_id;
} s_kind;

#define S_FOOD      "FOOD_AND_DRINK"
#define S_RENT      "RENT_AND_UTILITIES"
#define S_MERCH     "GENERAL_MERCHANDISE"
#define S_TRANSPORT "TRANSPORTATION"
#define S_FUN       "ENTERTAINMENT"

/* clang-format off */
static const s_kind s_coffee[] = {
  {"coffee-sbux", "Starbucks", "STARBUCKS STORE", "starbucks.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_COFFEE", "VERY_HIGH", {"Food and Drink", "Restaurants", "Coffee Shop"}, "13005043"},
  {"coffee-bb", "Blue Bottle Coffee", "BLUE BOTTLE COFFEE", "bluebottlecoffee.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_COFFEE", "VERY_HIGH", {"Food and Drink", "Restaurants", "Coffee Shop"}, "13005043"},
  {"coffee-peets", "Peet's Coffee", "PEETS COFFEE", "peets.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_COFFEE", "VERY_HIGH", {"Food and Drink", "Restaurants", "Coffee Shop"}, "13005043"},
};

static const s_kind s_grocers[] = {
  {"groc-wf", "Whole Foods Market", "WHOLEFDS MKT", "wholefoodsmarket.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_GROCERIES", "VERY_HIGH", {"Shops", "Supermarkets and Groceries", NULL}, "19047000"},
  {"groc-tj", "Trader Joe's", "TRADER JOE S", "traderjoes.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_GROCERIES", "VERY_HIGH", {"Shops", "Supermarkets and Groceries", NULL}, "19047000"},
  {"groc-sfwy", "Safeway", "SAFEWAY", "safeway.com", "in store", "place", S_FOOD, "FOOD_AND_DRINK_GROCERIES",
   "VERY_HIGH", {"Shops", "Supermarkets and Groceries", NULL}, "19047000"},
  {"groc-costco", "Costco", "COSTCO WHSE", "costco.com", "in store", "place", S_FOOD, "FOOD_AND_DRINK_GROCERIES",
   "HIGH", {"Shops", "Supermarkets and Groceries", NULL}, "19047000"},
};

static const s_kind s_restaurants[] = {
  {"rest-chip", "Chipotle Mexican Grill", "CHIPOTLE", "chipotle.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_FAST_FOOD", "VERY_HIGH", {"Food and Drink", "Restaurants", "Fast Food"}, "13005032"},
  {"rest-sg", "Sweetgreen", "SWEETGREEN", "sweetgreen.com", "in store", "place", S_FOOD, "FOOD_AND_DRINK_RESTAURANT",
   "VERY_HIGH", {"Food and Drink", "Restaurants", NULL}, "13005000"},
  {"rest-ss", "Shake Shack", "SHAKE SHACK", "shakeshack.com", "in store", "place", S_FOOD, "FOOD_AND_DRINK_FAST_FOOD",
   "VERY_HIGH", {"Food and Drink", "Restaurants", "Fast Food"}, "13005032"},
  {"rest-og", "Olive Garden", "OLIVE GARDEN", "olivegarden.com", "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_RESTAURANT", "VERY_HIGH", {"Food and Drink", "Restaurants", NULL}, "13005000"},
  {"rest-thai", "Lotus Thai Kitchen", "LOTUS THAI KITCHEN", NULL, "in store", "place", S_FOOD,
   "FOOD_AND_DRINK_RESTAURANT", "HIGH", {"Food and Drink", "Restaurants", NULL}, "13005000"},
  {"rest-dd", "DoorDash", "DOORDASH*ORDER", "doordash.com", "online", "digital", S_FOOD, "FOOD_AND_DRINK_RESTAURANT",
   "HIGH", {"Food and Drink", "Restaurants", NULL}, "13005000"},
};

static const s_kind s_subscriptions[] = {
  {"sub-netflix", "Netflix", "NETFLIX.COM", "netflix.com", "online", "digital", S_FUN, "ENTERTAINMENT_TV_AND_MOVIES",
   "VERY_HIGH", {"Service", "Subscription", NULL}, "18061000"},
  {"sub-spotify", "Spotify", "SPOTIFY USA", "spotify.com", "online", "digital", S_FUN, "ENTERTAINMENT_MUSIC_AND_AUDIO",
   "VERY_HIGH", {"Service", "Subscription", NULL}, "18061000"},
  {"sub-gym", "Planet Fitness", "PLANET FITNESS CLUB FEES", "planetfitness.com", "online", "digital",
   "PERSONAL_CARE", "PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS", "VERY_HIGH",
   {"Recreation", "Gyms and Fitness Centers", NULL}, "17018000"},
  {"sub-icloud", "Apple", "APPLE.COM/BILL", "apple.com", "online", "digital", "GENERAL_SERVICES",
   "GENERAL_SERVICES_OTHER_GENERAL_SERVICES", "HIGH", {"Service", "Subscription", NULL}, "18061000"},
};
static const int64_t s_subscription_cents[] = {1549, 1199, 2499, 299};

static const s_kind s_gas[] = {
  {"gas-shell", "Shell", "SHELL OIL", "shell.com", "in store", "place", S_TRANSPORT, "TRANSPORTATION_GAS",
   "VERY_HIGH", {"Travel", "Gas Stations", NULL}, "22009000"},
  {"gas-chevron", "Chevron", "CHEVRON", "chevron.com", "in store", "place", S_TRANSPORT, "TRANSPORTATION_GAS",
   "VERY_HIGH", {"Travel", "Gas Stations", NULL}, "22009000"},
};

static const s_kind s_rides[] = {
  {"ride-uber", "Uber", "UBER *TRIP", "uber.com", "online", "digital", S_TRANSPORT,
   "TRANSPORTATION_TAXIS_AND_RIDE_SHARES", "VERY_HIGH", {"Travel", "Taxi", NULL}, "22016000"},
  {"ride-lyft", "Lyft", "LYFT *RIDE", "lyft.com", "online", "digital", S_TRANSPORT,
   "TRANSPORTATION_TAXIS_AND_RIDE_SHARES", "VERY_HIGH", {"Travel", "Taxi", NULL}, "22016000"},
};

static const s_kind s_amazon = {"shop-amzn", "Amazon", "AMAZON MKTPL*", "amazon.com", "online", "digital", S_MERCH,
                                "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES", "VERY_HIGH", {"Shops", NULL, NULL},
                                "19000000"};
static const s_kind s_amazon_refund = {"refund-amzn", "Amazon", "AMAZON MKTPL REFUND", "amazon.com", "online",
                                       "digital", S_MERCH, "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES", "HIGH",
                                       {"Shops", NULL, NULL}, "19000000"};
static const s_kind s_target = {"shop-target", "Target", "TARGET", "target.com", "in store", "place", S_MERCH,
                                "GENERAL_MERCHANDISE_SUPERSTORES", "VERY_HIGH", {"Shops", "Department Stores", NULL},
                                "19012000"};

static const s_kind s_employers[] = {
  {"pay-acme", "Acme Corp", "ACME CORP PAYROLL PPD", NULL, "other", "special", "INCOME", "INCOME_WAGES",
   "VERY_HIGH", {"Transfer", "Payroll", NULL}, "21009000"},
  {"pay-globex", "Globex", "GLOBEX CORPORATION DIR DEP", NULL, "other", "special", "INCOME", "INCOME_WAGES",
   "VERY_HIGH", {"Transfer", "Payroll", NULL}, "21009000"},
  {"pay-initech", "Initech", "INITECH INC PAYROLL", NULL, "other", "special", "INCOME", "INCOME_WAGES", "VERY_HIGH",
   {"Transfer", "Payroll", NULL}, "21009000"},
  {"pay-umbrella", "Umbrella Health", "UMBRELLA HEALTH SYS PAYROLL", NULL, "other", "special", "INCOME",
   "INCOME_WAGES", "VERY_HIGH", {"Transfer", "Payroll", NULL}, "21009000"},
};

static const s_kind s_landlords[] = {
  {"rent-greystar", "Greystar", "GREYSTAR RENT WEB PMT", "greystar.com", "online", "special", S_RENT,
   "RENT_AND_UTILITIES_RENT", "VERY_HIGH", {"Payment", "Rent", NULL}, "16002000"},
  {"rent-equity", "Equity Residential", "EQUITY RESIDENTIAL RENT", "equityapartments.com", "online", "special", S_RENT,
   "RENT_AND_UTILITIES_RENT", "VERY_HIGH", {"Payment", "Rent", NULL}, "16002000"},
  {"rent-avalon", "AvalonBay", "AVALONBAY COMM RENT", "avaloncommunities.com", "online", "special", S_RENT,
   "RENT_AND_UTILITIES_RENT", "VERY_HIGH", {"Payment", "Rent", NULL}, "16002000"},
};

static const s_kind s_electric = {"util-power", "City Power & Light", "CITY POWER LIGHT BILL PAY", NULL, "online",
                                  "special", S_RENT, "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY", "VERY_HIGH",
                                  {"Service", "Utilities", "Electric"}, "18068001"};
static const s_kind s_internet = {"util-xfinity", "Xfinity", "COMCAST XFINITY", "xfinity.com", "online", "special",
                                  S_RENT, "RENT_AND_UTILITIES_INTERNET_AND_CABLE", "VERY_HIGH",
                                  {"Service", "Cable", NULL}, "18009000"};
static const s_kind s_phone = {"util-verizon", "Verizon", "VERIZON WIRELESS PAYMENTS", "verizon.com", "online",
                               "special", S_RENT, "RENT_AND_UTILITIES_TELEPHONE", "VERY_HIGH",
                               {"Service", "Telecommunication Services", NULL}, "18063000"};
static const s_kind s_tax_refund = {"inc-tax", NULL, "IRS TREAS 310 TAX REF", NULL, "other", "special", "INCOME",
                                    "INCOME_TAX_REFUND", "VERY_HIGH", {"Tax", "Refund", NULL}, "20001000"};
static const s_kind s_side_income = {"inc-upwork", "Upwork", "UPWORK ESCROW PAYOUT", "upwork.com", "online",
                                     "special", "INCOME", "INCOME_OTHER_INCOME", "MEDIUM",
                                     {"Transfer", "Deposit", NULL}, "21007000"};
static const s_kind s_interest = {"inc-interest", NULL, "INTEREST PAYMENT", NULL, "other", "special", "INCOME",
                                  "INCOME_INTEREST_EARNED", "VERY_HIGH", {"Interest", "Interest Earned", NULL},
                                  "15001000"};
static const s_kind s_atm = {"atm", NULL, "ATM WITHDRAWAL", NULL, "in store", "place", "TRANSFER_OUT",
                             "TRANSFER_OUT_WITHDRAWAL", "VERY_HIGH", {"Transfer", "Withdrawal", "ATM"}, "21012002"};
static const s_kind s_to_savings = {"xfer-save-out", NULL, "ONLINE TRANSFER TO SAV", NULL, "other", "special",
                                    "TRANSFER_OUT", "TRANSFER_OUT_SAVINGS", "VERY_HIGH",
                                    {"Transfer", "Internal Account Transfer", NULL}, "21001000"};
static const s_kind s_from_checking = {"xfer-save-in", NULL, "ONLINE TRANSFER FROM CHK", NULL, "other", "special",
                                       "TRANSFER_IN", "TRANSFER_IN_SAVINGS", "VERY_HIGH",
                                       {"Transfer", "Internal Account Transfer", NULL}, "21001000"};
static const s_kind s_to_checking = {"xfer-chk-out", NULL, "ONLINE TRANSFER TO CHK", NULL, "other", "special",
                                     "TRANSFER_OUT", "TRANSFER_OUT_ACCOUNT_TRANSFER", "VERY_HIGH",
                                     {"Transfer", "Internal Account Transfer", NULL}, "21001000"};
static const s_kind s_from_savings = {"xfer-chk-in", NULL, "ONLINE TRANSFER FROM SAV", NULL, "other", "special",
                                      "TRANSFER_IN", "TRANSFER_IN_ACCOUNT_TRANSFER", "VERY_HIGH",
                                      {"Transfer", "Internal Account Transfer", NULL}, "21001000"};
static const s_kind s_card_autopay = {"card-pay-out", NULL, "CREDIT CARD AUTOPAY", NULL, "other", "special",
                                      "LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT", "VERY_HIGH",
                                      {"Payment", "Credit Card", NULL}, "16001000"};
static const s_kind s_card_payment = {"card-pay-in", NULL, "PAYMENT - THANK YOU", NULL, "other", "special",
                                      "LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT", "VERY_HIGH",
                                      {"Payment", "Credit Card", NULL}, "16001000"};
/* clang-format on */

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- randomness: a pure function of (item key, day, rule) ---- */

static uint64_t s_mix(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

typedef struct {
  uint64_t state;
} s_rng;

static s_rng s_rng_for(uint64_t key, int32_t day, uint64_t rule)
{
  s_rng r = {s_mix(key ^ s_mix((uint64_t)(uint32_t)day * 0x100000001b3ULL + rule))};
  return r;
}

static uint64_t s_next(s_rng *r)
{
  r->state = s_mix(r->state);
  return r->state;
}

/* Uniform in [lo, hi]. */
static int64_t s_range(s_rng *r, int64_t lo, int64_t hi)
{
  return lo + (int64_t)(s_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability percent/100. */
static int s_chance(s_rng *r, int percent)
{
  return (int)(s_next(r) % 100) < percent;
}

/* ---- the item's fixed profile ---- */

typedef struct {
  uint64_t key; /* seed mixed with the institution */
  const plaid_data_institution *inst;
  int city;
  int employer;
  int landlord;
  int64_t salary_cents;
  int64_t rent_cents;
  int64_t savings_cents;
  int64_t limit_cents;
  int electric_day, internet_day, phone_day, side_day, tax_day;
  int subscription_day[S_COUNT(s_subscriptions)];
  int has_subscription[S_COUNT(s_subscriptions)];
  char masks[PLAID_DATA_ACCOUNT_COUNT][5];
} s_profile;

static uint64_t s_string_hash(const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for(; *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
  return h;
}

static void s_profile_init(s_profile *p, const plaid_data_institution *inst, uint64_t seed)
{
  memset(p, 0, sizeof *p);
  p->inst = inst;
  p->key = s_mix(seed ^ s_string_hash(inst->institution_id));
  s_rng r = {p->key};
  p->city = (int)s_range(&r, 0, S_CITY_COUNT - 1);
  p->employer = (int)s_range(&r, 0, S_COUNT(s_employers) - 1);
  p->landlord = (int)s_range(&r, 0, S_COUNT(s_landlords) - 1);
  p->rent_cents = s_range(&r, 24, 44) * 5000;
  p->savings_cents = s_range(&r, 4, 12) * 5000;
  /* Net pay covers rent, saving, bills, cash and the card (about $2,350 a month) with a little to spare. */
  p->salary_cents =
    (p->rent_cents + p->savings_cents + 235000 + s_range(&r, 0, 300) * 100) / 100 * 100 + s_range(&r, 0, 99);
  p->limit_cents = s_range(&r, 8, 20) * 100000;
  p->electric_day = (int)s_range(&r, 5, 12);
  p->internet_day = (int)s_range(&r, 8, 18);
  p->phone_day = (int)s_range(&r, 14, 22);
  p->side_day = (int)s_range(&r, 10, 20);
  p->tax_day = (int)s_range(&r, 8, 24);
  for(size_t i = 0; i < S_COUNT(s_subscriptions); i++) {
    p->subscription_day[i] = (int)s_range(&r, 1, 28);
    p->has_subscription[i] = i == 0 || s_chance(&r, 75);
  }
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++)
    snprintf(p->masks[a], sizeof p->masks[a], "%04d", (int)s_range(&r, 0, 9999));
}

/* ---- raw events: a kind, an account, an amount, the day it was authorized and the day it posts ---- */

typedef struct {
  const s_kind *kind;
  plaid_data_account_kind account;
  int64_t amount_cents;
  int32_t auth_day;
  int32_t post_day;
  int slot;          /* tells apart events of one kind on one day */
  int card_purchase; /* goes through a pending phase */
  char suffix[24];   /* appended to the descriptor */
  int has_place;
} s_event;

typedef struct {
  s_event *v;
  size_t n;
  size_t cap;
  mynt_status st; /* MYNT_NOMEM once a push failed */
} s_events;

/* Appends e to l. Out of memory, it records MYNT_NOMEM in l->st and drops e and every later event,
 * so a day's rules push without checking and the day answers l->st once. */
static void s_push(s_events *l, s_event e)
{
  if(l->st)
    return;
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 1024;
    s_event *v = realloc(l->v, cap * sizeof *v);
    if(!v) {
      l->st = MYNT_NOMEM;
      return;
    }
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = e;
}

static int s_weekday(int32_t day) /* 0 = Sunday */
{
  int w = (int)((day + 4) % 7);
  return w < 0 ? w + 7 : w;
}

static int s_month_length(int y, int m)
{
  int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
  return (int)(date_days_from_civil(ny, nm, 1) - date_days_from_civil(y, m, 1));
}

static int s_is_last_business_day(int32_t day)
{
  int y, m, d;
  date_civil_from_days(day, &y, &m, &d);
  int w = s_weekday(day);
  if(w == 0 || w == 6)
    return 0;
  /* the next business day falls in another month */
  int32_t next = day + (w == 5 ? 3 : 1);
  int ny, nm, nd;
  date_civil_from_days(next, &ny, &nm, &nd);
  return nm != m;
}

static s_event s_transfer(const s_kind *k, plaid_data_account_kind account, int32_t day, int64_t cents,
                          const char *suffix)
{
  s_event e;
  memset(&e, 0, sizeof e);
  e.kind = k;
  e.account = account;
  e.amount_cents = cents;
  e.auth_day = day;
  e.post_day = day;
  snprintf(e.suffix, sizeof e.suffix, "%s", suffix ? suffix : "");
  return e;
}

/* A card purchase: authorized on day, pending until it posts 1..max_lag days later. */
static s_event s_purchase(const s_kind *k, int32_t day, int slot, int64_t cents, s_rng *r, int max_lag)
{
  s_event e = s_transfer(k, PLAID_DATA_CARD, day, cents, NULL);
  e.post_day = day + (int32_t)s_range(r, 1, max_lag);
  e.slot = slot;
  e.card_purchase = 1;
  e.has_place = strcmp(k->channel, "in store") == 0;
  if(e.has_place)
    snprintf(e.suffix, sizeof e.suffix, "#%04d", (int)s_range(r, 100, 9999));
  else
    snprintf(e.suffix, sizeof e.suffix, "%06X", (unsigned)(s_next(r) & 0xffffff));
  return e;
}

/* The card's purchases and refunds of one day (all of them go through pending first). */
static mynt_status s_card_day(const s_profile *p, int32_t day, s_events *out)
{
  int y, m, d;
  date_civil_from_days(day, &y, &m, &d);
  const int w = s_weekday(day);

  s_rng r = s_rng_for(p->key, day, 1);
  if(w >= 1 && w <= 5)
    s_push(out, s_purchase(&s_coffee[s_range(&r, 0, S_COUNT(s_coffee) - 1)], day, 0, s_range(&r, 375, 750), &r, 2));
  r = s_rng_for(p->key, day, 2);
  if(w == 6 || (w == 3 && s_chance(&r, 50)))
    s_push(out,
           s_purchase(&s_grocers[s_range(&r, 0, S_COUNT(s_grocers) - 1)], day, 0, s_range(&r, 4500, 19000), &r, 3));
  r = s_rng_for(p->key, day, 3);
  if(w == 0 || ((w == 5 || w == 6) && s_chance(&r, 70)) || (w >= 1 && w <= 4 && s_chance(&r, 15)))
    s_push(out, s_purchase(&s_restaurants[s_range(&r, 0, S_COUNT(s_restaurants) - 1)], day, 0, s_range(&r, 1200, 7000),
                           &r, 2));
  for(size_t i = 0; i < S_COUNT(s_subscriptions); i++) {
    if(!p->has_subscription[i] || d != p->subscription_day[i])
      continue;
    r = s_rng_for(p->key, day, 10 + i);
    s_push(out, s_purchase(&s_subscriptions[i], day, 0, s_subscription_cents[i], &r, 1));
  }
  r = s_rng_for(p->key, day, 4);
  if(s_chance(&r, 12))
    s_push(out, s_purchase(&s_gas[s_range(&r, 0, S_COUNT(s_gas) - 1)], day, 0, s_range(&r, 2800, 6800), &r, 2));
  r = s_rng_for(p->key, day, 5);
  if(s_chance(&r, 10))
    s_push(out, s_purchase(&s_rides[s_range(&r, 0, S_COUNT(s_rides) - 1)], day, 0, s_range(&r, 900, 3800), &r, 2));
  r = s_rng_for(p->key, day, 6);
  if(s_chance(&r, 8))
    s_push(out, s_purchase(&s_amazon, day, 0, s_range(&r, 1200, 14000), &r, 3));
  r = s_rng_for(p->key, day, 7);
  if(s_chance(&r, 5))
    s_push(out, s_purchase(&s_target, day, 0, s_range(&r, 1500, 12000), &r, 2));
  r = s_rng_for(p->key, day, 8);
  if(s_chance(&r, 3))
    s_push(out, s_purchase(&s_amazon_refund, day, 0, -s_range(&r, 1000, 9000), &r, 3));
  return out->st;
}

/* Net card activity (purchases less refunds) posting in [from, to]. */
static mynt_status s_card_net(const s_profile *p, int32_t from, int32_t to, int64_t *out_cents)
{
  s_events l = {0};
  mynt_status st = MYNT_OK;
  int64_t sum = 0;
  for(int32_t day = from - 3; day <= to && !st; day++)
    st = s_card_day(p, day, &l);
  if(st)
    goto cleanup;
  for(size_t i = 0; i < l.n; i++)
    if(l.v[i].post_day >= from && l.v[i].post_day <= to)
      sum += l.v[i].amount_cents;
  *out_cents = sum;
cleanup:
  free(l.v);
  return st;
}

/* What the card owes at the end of `day`: the autopay on the 25th clears last month's activity. */
static mynt_status s_card_owed(const s_profile *p, int32_t day, int64_t *out_cents)
{
  int y, m, d;
  date_civil_from_days(day, &y, &m, &d);
  const int32_t first = date_days_from_civil(y, m, 1);
  int64_t this_month = 0, last_month = 0;
  mynt_status st = s_card_net(p, first, day, &this_month);
  if(st)
    return st;
  if(d < 25) {
    int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
    st = s_card_net(p, date_days_from_civil(py, pm, 1), first - 1, &last_month);
    if(st)
      return st;
  }
  *out_cents = this_month + last_month;
  return MYNT_OK;
}

/* Everything else that happens on a day: pay, rent, bills, transfers, card autopay, interest. */
static mynt_status s_bank_day(const s_profile *p, int32_t day, s_events *out)
{
  int y, m, d;
  date_civil_from_days(day, &y, &m, &d);
  char suffix[24];
  s_rng r = s_rng_for(p->key, day, 20);

  if(s_is_last_business_day(day))
    s_push(out, s_transfer(&s_employers[p->employer], PLAID_DATA_CHECKING, day, -p->salary_cents, NULL));
  if(d == 1)
    s_push(out, s_transfer(&s_landlords[p->landlord], PLAID_DATA_CHECKING, day, p->rent_cents, NULL));
  if(d == p->electric_day) {
    const int peak = m == 1 || m == 2 || m == 7 || m == 8 || m == 12;
    s_push(out, s_transfer(&s_electric, PLAID_DATA_CHECKING, day, s_range(&r, 5500, 9500) * (peak ? 3 : 2) / 2, NULL));
  }
  if(d == p->internet_day)
    s_push(out, s_transfer(&s_internet, PLAID_DATA_CHECKING, day, 7999, NULL));
  if(d == p->phone_day)
    s_push(out, s_transfer(&s_phone, PLAID_DATA_CHECKING, day, 6500, NULL));
  if(m == 4 && d == p->tax_day)
    s_push(out, s_transfer(&s_tax_refund, PLAID_DATA_CHECKING, day, -s_range(&r, 30000, 220000), NULL));
  if(d == p->side_day && s_chance(&r, 35))
    s_push(out, s_transfer(&s_side_income, PLAID_DATA_CHECKING, day, -s_range(&r, 15000, 90000), NULL));
  if(d == 3) {
    snprintf(suffix, sizeof suffix, "XXXXXX%s", p->masks[PLAID_DATA_SAVINGS]);
    s_push(out, s_transfer(&s_to_savings, PLAID_DATA_CHECKING, day, p->savings_cents, suffix));
    snprintf(suffix, sizeof suffix, "XXXXXX%s", p->masks[PLAID_DATA_CHECKING]);
    s_push(out, s_transfer(&s_from_checking, PLAID_DATA_SAVINGS, day, -p->savings_cents, suffix));
  }
  if(m == 12 && d == 10) {
    const int64_t cents = s_range(&r, 5, 15) * 10000;
    snprintf(suffix, sizeof suffix, "XXXXXX%s", p->masks[PLAID_DATA_CHECKING]);
    s_push(out, s_transfer(&s_to_checking, PLAID_DATA_SAVINGS, day, cents, suffix));
    snprintf(suffix, sizeof suffix, "XXXXXX%s", p->masks[PLAID_DATA_SAVINGS]);
    s_push(out, s_transfer(&s_from_savings, PLAID_DATA_CHECKING, day, -cents, suffix));
  }
  if(d == 25) {
    int64_t owed = 0;
    int py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;
    const int32_t first = date_days_from_civil(py, pm, 1);
    mynt_status st = s_card_net(p, first, first + s_month_length(py, pm) - 1, &owed);
    if(st)
      return st;
    if(owed > 0) {
      snprintf(suffix, sizeof suffix, "%s XXXX%s", p->inst->brand, p->masks[PLAID_DATA_CARD]);
      s_push(out, s_transfer(&s_card_autopay, PLAID_DATA_CHECKING, day, owed, suffix));
      s_push(out, s_transfer(&s_card_payment, PLAID_DATA_CARD, day, -owed, NULL));
    }
  }
  if(d == s_month_length(y, m))
    s_push(out, s_transfer(&s_interest, PLAID_DATA_SAVINGS, day, -s_range(&r, 50, 2500), NULL));
  if(s_chance(&r, 3)) {
    snprintf(suffix, sizeof suffix, "%s #%03d", p->inst->brand, (int)s_range(&r, 1, 400));
    s_event e = s_transfer(&s_atm, PLAID_DATA_CHECKING, day, s_range(&r, 2, 10) * 2000, suffix);
    e.has_place = 1;
    s_push(out, e);
  }
  return out->st;
}

/* ---- ids and the final transaction records ---- */

static void s_make_id(const s_profile *p, char kind, const s_event *e, char out[PLAID_DATA_ID_LEN + 1])
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char digest[2][SHA256_DIGEST_LENGTH];
  char input[128];
  for(int round = 0; round < 2; round++) {
    int n = snprintf(input, sizeof input, "%016llx|%c|%s|%d|%d|%d|%d", (unsigned long long)p->key, kind, e->kind->tag,
                     (int)e->account, (int)e->auth_day, e->slot, round);
    SHA256((const unsigned char *)input, (size_t)n, digest[round]);
  }
  const unsigned char *bytes = &digest[0][0];
  for(int i = 0; i < PLAID_DATA_ID_LEN; i++)
    out[i] = alphabet[bytes[i] % 62];
  out[PLAID_DATA_ID_LEN] = '\0';
}

static void s_account_id(const s_profile *p, plaid_data_account_kind a, char out[PLAID_DATA_ID_LEN + 1])
{
  s_event e;
  s_kind k = {0};
  memset(&e, 0, sizeof e);
  k.tag = "account";
  e.kind = &k;
  e.account = a;
  s_make_id(p, 'a', &e, out);
}

static void s_finish(const s_profile *p, const s_event *e, int32_t today, plaid_data_txn *t)
{
  const s_kind *k = e->kind;
  memset(t, 0, sizeof *t);
  t->account = e->account;
  t->amount_cents = e->amount_cents;
  t->authorized_date = e->auth_day;
  t->pending = e->post_day > today;
  t->date = t->pending ? e->auth_day : e->post_day;
  if(t->pending) {
    s_make_id(p, 'p', e, t->transaction_id);
  }
  else {
    s_make_id(p, 't', e, t->transaction_id);
    if(e->card_purchase)
      s_make_id(p, 'p', e, t->pending_transaction_id);
  }
  const size_t dlen = strlen(k->descriptor);
  const int glued = dlen > 0 && k->descriptor[dlen - 1] == '*';
  snprintf(t->name, sizeof t->name, "%s%s%s", k->descriptor, e->suffix[0] && !glued ? " " : "", e->suffix);
  if(e->has_place) {
    t->place = &s_places[p->city * 3 + (int)(s_string_hash(k->tag) % 3)];
    if(e->suffix[0] == '#')
      snprintf(t->store_number, sizeof t->store_number, "%s", e->suffix + 1);
  }
  t->merchant_name = k->merchant_name;
  t->website = k->website;
  t->payment_channel = k->channel;
  t->transaction_type = k->type;
  t->pfc_primary = k->pfc_primary;
  t->pfc_detailed = k->pfc_detailed;
  t->pfc_confidence = k->confidence;
  memcpy(t->category, k->category, sizeof t->category);
  t->category_id = k->category_id;
}

static int s_newest_first(const void *a, const void *b)
{
  const plaid_data_txn *x = a, *y = b;
  if(x->date != y->date)
    return x->date > y->date ? -1 : 1;
  return strcmp(x->transaction_id, y->transaction_id);
}

/* ---- public API ---- */

const plaid_data_institution *plaid_data_institution_find(const char *institution_id)
{
  if(!institution_id)
    return NULL;
  for(size_t i = 0; i < S_INSTITUTION_COUNT; i++)
    if(strcmp(s_institutions[i].institution_id, institution_id) == 0)
      return &s_institutions[i];
  return NULL;
}

size_t plaid_data_institution_count(void)
{
  return S_INSTITUTION_COUNT;
}

const plaid_data_institution *plaid_data_institution_at(size_t i)
{
  return i < S_INSTITUTION_COUNT ? &s_institutions[i] : NULL;
}

static void s_accounts_init(const s_profile *p, plaid_data_item *item)
{
  static const char *const names[PLAID_DATA_ACCOUNT_COUNT] = {"Everyday Checking", "High Yield Savings",
                                                              "Rewards Credit Card"};
  static const char *const subtypes[PLAID_DATA_ACCOUNT_COUNT] = {"checking", "savings", "credit card"};
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++) {
    plaid_data_account *acc = &item->accounts[a];
    s_account_id(p, (plaid_data_account_kind)a, acc->account_id);
    memcpy(acc->mask, p->masks[a], sizeof acc->mask);
    snprintf(acc->name, sizeof acc->name, "%s", names[a]);
    snprintf(acc->official_name, sizeof acc->official_name, "%s %s", p->inst->name, names[a]);
    acc->type = a == PLAID_DATA_CARD ? "credit" : "depository";
    acc->subtype = subtypes[a];
    acc->limit_cents = a == PLAID_DATA_CARD ? p->limit_cents : -1;
  }
}

mynt_status plaid_data_generate(const char *institution_id, uint64_t seed, int32_t today, plaid_data_item *out)
{
  s_events events = {0};
  plaid_data_txn *txns = NULL;
  mynt_status st = MYNT_OK;
  const plaid_data_institution *inst = plaid_data_institution_find(institution_id);
  s_profile p;
  int64_t pending[PLAID_DATA_ACCOUNT_COUNT] = {0};
  int64_t posted[PLAID_DATA_ACCOUNT_COUNT] = {0};

  memset(out, 0, sizeof *out);
  if(!inst)
    return MYNT_NOT_FOUND;
  s_profile_init(&p, inst, seed);
  const int32_t first = today - PLAID_DATA_HISTORY_DAYS;

  /* Purchases authorized up to three days before the window may post inside it. */
  for(int32_t day = first - 3; day <= today && !st; day++) {
    st = s_card_day(&p, day, &events);
    if(!st && day >= first)
      st = s_bank_day(&p, day, &events);
  }
  if(st)
    goto cleanup;

  txns = calloc(events.n ? events.n : 1, sizeof *txns);
  if(!txns) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  size_t n = 0;
  for(size_t i = 0; i < events.n; i++) {
    plaid_data_txn *t = &txns[n];
    s_finish(&p, &events.v[i], today, t);
    if(t->date < first)
      continue;
    if(t->pending)
      pending[t->account] += t->amount_cents;
    else
      posted[t->account] += t->amount_cents;
    n++;
  }
  qsort(txns, n, sizeof *txns, s_newest_first);

  out->institution = inst;
  out->seed = seed;
  out->today = today;
  out->first_day = first;
  s_accounts_init(&p, out);

  /* Depository opening balances: a month's pay and a cushion; savings a few thousand. */
  s_rng r = {s_mix(p.key ^ 0x5eed)};
  plaid_data_account *chk = &out->accounts[PLAID_DATA_CHECKING];
  plaid_data_account *sav = &out->accounts[PLAID_DATA_SAVINGS];
  plaid_data_account *card = &out->accounts[PLAID_DATA_CARD];
  chk->opening_cents = p.salary_cents + s_range(&r, 500, 2500) * 100;
  sav->opening_cents = s_range(&r, 300, 2500) * 1000;
  if((st = s_card_owed(&p, first - 1, &card->opening_cents)))
    goto cleanup;
  for(int a = 0; a < PLAID_DATA_ACCOUNT_COUNT; a++) {
    plaid_data_account *acc = &out->accounts[a];
    if(a == PLAID_DATA_CARD) {
      acc->current_cents = acc->opening_cents + posted[a];
      acc->available_cents = acc->limit_cents - acc->current_cents - pending[a];
    }
    else {
      acc->current_cents = acc->opening_cents - posted[a];
      acc->available_cents = acc->current_cents - pending[a];
    }
  }
  out->txns = txns;
  out->txn_count = n;
  txns = NULL;

cleanup:
  free(events.v);
  free(txns);
  if(st)
    memset(out, 0, sizeof *out);
  return st;
}

void plaid_data_item_free(plaid_data_item *item)
{
  if(!item)
    return;
  free(item->txns);
  item->txns = NULL;
  item->txn_count = 0;
}
