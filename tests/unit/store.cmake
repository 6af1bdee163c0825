# Unit tests of the custody store: files, uploads, manifests, dockings, ledger.
dockd_unit_test(store_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/store_test.cpp ${CMAKE_CURRENT_LIST_DIR}/store_media_test.cpp
                LIBS dockd_custody)
dockd_unit_test(migrations_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/migrations_test.cpp LIBS dockd_custody OpenSSL::Crypto)
dockd_unit_test(store_rules_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/store_rules_test.cpp LIBS dockd_custody)
