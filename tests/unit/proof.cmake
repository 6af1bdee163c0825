# The archive's own proof (issue 10, DESIGN §11): segments, key rotation and
# amendments in the station's store; dockd-verify's parsing and its checks on
# a real file:// archive the station's own code wrote.
dockd_unit_test(segments_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/segments_test.cpp LIBS dockd_upload dockd_verify_documents)
dockd_unit_test(verify_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/verify_documents_test.cpp
                ${CMAKE_CURRENT_LIST_DIR}/verify_checks_test.cpp LIBS dockd_verify dockd_upload)
