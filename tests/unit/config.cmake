# Unit tests of daemon/config; they also load the reference config/dockd.yaml.
dockd_unit_test(config_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp LIBS dockd_config)
target_compile_definitions(config_test PRIVATE DOCKD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
dockd_unit_test(config_checks_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_checks_test.cpp LIBS dockd_config OpenSSL::Crypto)
dockd_unit_test(config_file_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_file_test.cpp LIBS dockd_config)
dockd_unit_test(config_rules_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/config_rules_test.cpp LIBS dockd_config)
