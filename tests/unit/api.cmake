# Unit tests of the people-facing pieces (issue 5): tokens, rate limit, CSV,
# metrics reasons, log fields, and the custody queries behind the API.
dockd_unit_test(api_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/api_auth_test.cpp ${CMAKE_CURRENT_LIST_DIR}/api_views_test.cpp
                LIBS dockd_api)
dockd_unit_test(api_store_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/api_store_test.cpp LIBS dockd_custody)
