# Unit tests of the S3 target's protocol pieces and of the upload policy (issue 4).
# The S3 store itself (Swift over TLS) is exercised by tests/e2e/test_s3_*.py.
dockd_unit_test(s3_protocol_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/s3_protocol_test.cpp LIBS dockd_archive)
dockd_unit_test(s3_policy_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/s3_policy_test.cpp LIBS dockd_upload)
dockd_unit_test(s3_target_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/s3_target_test.cpp LIBS dockd_archive)
