# Unit tests of the ingest pipeline: untrusted device names, staging, copy+hash.
dockd_unit_test(device_path_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/device_path_test.cpp LIBS dockd_ingest)
dockd_unit_test(staging_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/staging_test.cpp LIBS dockd_ingest)
dockd_unit_test(pipeline_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/pipeline_test.cpp LIBS dockd_ingest OpenSSL::Crypto)
