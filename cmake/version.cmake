# Writes OUT (version.c): the git commit of SRC ("-dirty" when tracked files differ from it), the
# compiler flags, the Random123 package version and the content hash of SRC/hwdb as the build saw it
# (the same digest hwdb_load computes: sha256 of "<sha256>  <path>\n" lines in load order).
# Runs at every build and rewrites OUT only when the text changes, so an unchanged tree rebuilds nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(dirty 0)
if(NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY "${SRC}"
                  OUTPUT_VARIABLE changes ERROR_QUIET)
  if(changes)
    set(commit "${commit}-dirty")
    set(dirty 1)
  endif()
endif()
execute_process(COMMAND dpkg-query -W -f=${Version} librandom123-dev OUTPUT_VARIABLE r123 ERROR_QUIET
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT r123)
  set(r123 "unknown")
endif()
set(listing "")
foreach(pattern gpus/*.yaml models/*.yaml quant/formats.yaml engines/*.yaml prices/gpu.yaml prices/api.yaml model_error.yaml)
  file(GLOB files RELATIVE "${SRC}/hwdb" "${SRC}/hwdb/${pattern}")
  list(SORT files)
  foreach(f ${files})
    file(SHA256 "${SRC}/hwdb/${f}" h)
    string(APPEND listing "${h}  ${f}\n")
  endforeach()
endforeach()
string(SHA256 hwdb_sha "${listing}")
string(REPLACE "\"" "\\\"" flags "${FLAGS}")
set(text "/* version.c: generated at build time by cmake/version.cmake; do not edit. */
#include \"base/version.h\"

const char *servesim_git_commit(void) { return \"${commit}\"; }
bool servesim_git_dirty(void) { return ${dirty}; }
const char *servesim_compiler(void) { return \"${COMPILER} \" __VERSION__; }
const char *servesim_build_flags(void) { return \"${flags}\"; }
const char *servesim_random123_version(void) { return \"${r123}\"; }
const char *servesim_hwdb_build_sha256(void) { return \"${hwdb_sha}\"; }
")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE "${OUT}" "${text}")
endif()
