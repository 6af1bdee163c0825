# Unit tests of the custody audit chain (DESIGN §8) and schema migrations.
dockd_unit_test(audit_chain_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/audit_chain_test.cpp LIBS dockd_custody)
