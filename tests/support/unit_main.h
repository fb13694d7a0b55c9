/* unit_main.h - the main() every cmocka unit test file ends with: its tests, run once as one group. */
#ifndef MYNT_TESTS_UNIT_MAIN_H
#define MYNT_TESTS_UNIT_MAIN_H

/* Defines main(): runs the braced list of CMUnitTest entries given last as the cmocka group `name`, with the
 * group's setup and teardown (NULL for none) around them. main returns the number of tests that failed, as
 * cmocka_run_group_tests does; a group setup that fails fails every test. Include after <cmocka.h>. */
#define UNIT_MAIN(name, group_setup, group_teardown, ...)                                                              \
  int main(void)                                                                                                       \
  {                                                                                                                    \
    const struct CMUnitTest unit_tests[] = __VA_ARGS__;                                                                \
    return cmocka_run_group_tests_name(name, unit_tests, group_setup, group_teardown);                                 \
  }

#endif
