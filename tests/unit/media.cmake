# The media probe (issue 14): its answer's parsing, the real sandboxed helper
# on media made by ffmpeg in the test, and the sandbox holding.
if(TARGET dockd_media)
  dockd_unit_test(media_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/media_probe_test.cpp
                  ${CMAKE_CURRENT_LIST_DIR}/media_sandbox_test.cpp ${CMAKE_CURRENT_LIST_DIR}/media_metadata_test.cpp
                  LIBS dockd_media dockd_upload)
  target_compile_definitions(media_test PRIVATE DOCKD_MEDIA_PROBE="$<TARGET_FILE:dockd-media-probe>")
  add_dependencies(media_test dockd-media-probe)
endif()
