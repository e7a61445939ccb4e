# Warnings and sanitizers for onshi's own targets (not for generated code).

set(ONSHI_WARNINGS -Wall -Wextra -Wno-unused-parameter)

function(onshi_target_warnings target)
  target_compile_options(${target} PRIVATE ${ONSHI_WARNINGS})
endfunction()

if(ONSHI_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(ONSHI_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT ONSHI_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ONSHI_SANITIZE must be '', 'address' or 'thread'")
endif()

# Hardening for shipped binaries.
add_compile_options(-fstack-protector-strong $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
add_link_options(-Wl,-z,relro,-z,now -Wl,-z,noexecstack)
