# Unit tests of src/finance: Plaid's categories and their flow, the /transactions filters, CSV cells and the
# summary's cents arithmetic, all on hand-made stored transactions (no network).
foreach(module category filter csv summary)
  mynt_unit_test(test_finance_${module} SOURCES test_finance_${module}.c LIBS mynt_finance)
endforeach()
