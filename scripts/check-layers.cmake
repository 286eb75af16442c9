# Fails when a folder includes a folder above it (issue #9: folders depend one way).
#
#   cmake -DROOT=<source dir> -P scripts/check-layers.cmake
#
# Run by CTest as the `layers` test, so scripts/test.sh and CI run it. For the checker's own test,
# EXTRA names a file outside the tree that is checked as if it lived at EXTRA_AS (a path under
# ROOT), so a deliberately bad include never has to be committed.
#
# The layer order, lowest first. A folder may include its own files and any folder on a lower
# line; folders on the same line are independent of each other (llm/ and storage/ share only
# base/chatmessage.h). core/<folder> is named by its folder; widgets/ and app/ are one layer each.
# A new core folder must be added here, or this check fails.
set(LAYERS
    "base" # the clock, the delays, the thread registry, the chat message type
    "trace loop install" # request records and counters, the epoll dispatcher, install paths
    "llm storage" # the model backends; the history store
    "db" # PostgreSQL: libpq connections, the connection pool, the history store on a server
    "pipeline" # the request pipeline (conversation manager, server config)
    "http" # the server: endpoints, workers, listeners
    "load stats" # the load generator; latency statistics
    "scenario" # scenarios and their runs
    "timeline" # the trace model every view reads: rows, lanes, pieces, ticks, pixel rows
    "report" # run.json, trace.json, CSV, HTML and PDF, drawn from the trace model
    "otlp record" # the OTLP/HTTP receiver: observed spans into runs; recordings of the server's load
    "cli" # the loopscope commands
    "widgets" # the desktop window's views
    "app" # main()
)

if(NOT ROOT)
    message(FATAL_ERROR "check-layers: pass -DROOT=<source dir>")
endif()

set(rank 0)
set(known "")
foreach(line IN LISTS LAYERS)
    string(REGEX REPLACE "#.*" "" line "${line}")
    separate_arguments(names UNIX_COMMAND "${line}")
    foreach(name IN LISTS names)
        set(RANK_${name} ${rank})
        list(APPEND known ${name})
    endforeach()
    math(EXPR rank "${rank} + 1")
endforeach()

# The layer a file under ROOT belongs to ("" when it is not layered, e.g. tests/).
function(layer_of_file path out)
    set(layer "")
    if(path MATCHES "^core/([^/]+)/")
        set(layer ${CMAKE_MATCH_1})
    elseif(path MATCHES "^(widgets|app)/")
        set(layer ${CMAKE_MATCH_1})
    endif()
    set(${out} "${layer}" PARENT_SCOPE)
endfunction()

# The layer an #include "a/b.h" reaches. The build puts core/ and (for widgets and app) widgets/
# on the include path; a path that is in neither (a generated header) is not layered.
function(layer_of_include include out)
    set(layer "")
    if(include MATCHES "^([^/]+)/" AND EXISTS "${ROOT}/core/${include}")
        set(layer ${CMAKE_MATCH_1})
    elseif(EXISTS "${ROOT}/widgets/${include}")
        set(layer widgets)
    endif()
    set(${out} "${layer}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/core/*.h" "${ROOT}/core/*.cpp" "${ROOT}/widgets/*.h"
     "${ROOT}/widgets/*.cpp" "${ROOT}/app/*.h" "${ROOT}/app/*.cpp")
set(sources "")
foreach(f IN LISTS files)
    list(APPEND sources "${f}=${ROOT}/${f}")
endforeach()
if(EXTRA)
    if(NOT EXTRA_AS)
        message(FATAL_ERROR "check-layers: EXTRA needs EXTRA_AS (the path it stands for under ROOT)")
    endif()
    list(APPEND sources "${EXTRA_AS}=${EXTRA}")
endif()

set(errors "")
set(checked 0)
foreach(entry IN LISTS sources)
    string(FIND "${entry}" "=" eq)
    string(SUBSTRING "${entry}" 0 ${eq} path)
    math(EXPR from "${eq} + 1")
    string(SUBSTRING "${entry}" ${from} -1 disk)
    layer_of_file("${path}" layer)
    if(layer STREQUAL "")
        continue()
    endif()
    if(NOT DEFINED RANK_${layer})
        list(APPEND errors "${path}: folder '${layer}' is not in the layer table (scripts/check-layers.cmake)")
        continue()
    endif()
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${disk}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS lines)
        if(NOT line MATCHES "\"([^\"]+)\"")
            continue()
        endif()
        set(include "${CMAKE_MATCH_1}")
        layer_of_include("${include}" target)
        if(target STREQUAL "" OR target STREQUAL layer)
            continue()
        endif()
        if(NOT DEFINED RANK_${target})
            list(APPEND errors "${path}: includes \"${include}\" from folder '${target}', which is not in the layer table")
        elseif(RANK_${target} EQUAL RANK_${layer})
            list(APPEND errors "${path}: includes \"${include}\": ${layer} and ${target} are on the same layer and must not include each other")
        elseif(RANK_${target} GREATER RANK_${layer})
            list(APPEND errors "${path}: includes \"${include}\": ${layer} (layer ${RANK_${layer}}) must not include ${target} (layer ${RANK_${target}}, higher)")
        endif()
    endforeach()
endforeach()

# An include names its folder ("timeline/…" is core/timeline): a widgets/ folder must not share a
# name with a core/ folder, or "folder/…" would read the same for both (issue #19's
# widgets/timeline, now widgets/timelineview).
file(GLOB widget_folders RELATIVE "${ROOT}/widgets" "${ROOT}/widgets/*")
foreach(folder IN LISTS widget_folders)
    if(IS_DIRECTORY "${ROOT}/widgets/${folder}" AND IS_DIRECTORY "${ROOT}/core/${folder}")
        list(APPEND errors "widgets/${folder}: core/${folder} has the same name, so includes of \"${folder}/…\" would be ambiguous")
    endif()
endforeach()

if(errors)
    list(LENGTH errors n)
    list(JOIN errors "\n  " text)
    message(FATAL_ERROR "check-layers: ${n} include(s) against the layer order:\n  ${text}")
endif()
message(STATUS "check-layers: ${checked} files follow the layer order")
