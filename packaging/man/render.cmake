# cmake -P render.cmake: one man page from its scdoc source, at build time.
#   IN   the .scd source (dockd.yaml.5.scd.in: %%REFERENCE%% becomes the
#        reference configuration REFERENCE, so the page never drifts from it)
#   OUT  the roff page; OUT.gz beside it is what gets installed
#   SCDOC, GZIP  the tools
file(READ ${IN} source)
if(DEFINED REFERENCE)
  file(READ ${REFERENCE} reference)
  string(STRIP "${reference}" reference)
  # scdoc reads backslash as an escape, even in literal blocks.
  string(REPLACE "\\" "\\\\" reference "${reference}")
  string(REPLACE "%%REFERENCE%%" "${reference}" source "${source}")
endif()
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(WRITE ${OUT}.scd "${source}")
execute_process(COMMAND ${SCDOC} INPUT_FILE ${OUT}.scd OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "scdoc failed on ${IN}")
endif()
file(REMOVE ${OUT}.scd)
# -n: no name or time stamp inside, so the package is reproducible.
execute_process(COMMAND ${GZIP} -9nf -k ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${OUT}")
endif()
