;; The unicode mode's fast path for text in Latin, Greek, Cyrillic and other scripts of 2-byte
;; UTF-8 characters (src/transform/latin-kernel.ts loads it; `npm run build:wasm` rebuilds
;; latin-kernel-wasm.ts from this file). Memory: the 2-byte table at 0 (2,048 entries of 16
;; bits, as TWO_BYTE_UPPERCASE: (first << 8) | second, or 0), the bytes to uppercase after it,
;; and the SIMD constants in the last 256 bytes.
;; Also the ASCII kernels for long runs, sixty-four bytes per step in SIMD (ascii.ts calls them).
(module
  (memory (export "memory") 2)

  ;; Sixteen bytes at once (written out in every loop below): 0x20 is cleared from the bytes
  ;; in 'a'..'z', every other byte kept. Constants from memory, not splats (V8 would build each
  ;; splat again at every use); signed compares only (unsigned ones take several instructions
  ;; on x86): a byte in 'a'..'z' is one that plus 0x1f is below 0x9a signed.

  ;; One byte: its uppercase when in 'a'..'z'.
  (func $uppercaseAsciiByte (param $position i32)
    (local $byte i32)
    (local.set $byte (i32.load8_u (local.get $position)))
    (if (i32.lt_u (i32.sub (local.get $byte) (i32.const 0x61)) (i32.const 26))
      (then (i32.store8 (local.get $position) (i32.sub (local.get $byte) (i32.const 0x20))))))

  ;; Uppercases a-z in [position, end) in place (the ascii mode: binary-safe, same length).
  ;; Sixty-four bytes per step while they last, then sixteen, then one at a time.
  (func (export "uppercaseAscii") (param $position i32) (param $end i32)
    (local $bytes v128) (local $x20 v128) (local $x1f v128) (local $x9a v128)
    (local.set $x20 (v128.load (i32.const 0x1ff00)))
    (local.set $x1f (v128.load (i32.const 0x1ff10)))
    (local.set $x9a (v128.load (i32.const 0x1ff20)))
    (block $blocks
      (loop $next
        (br_if $blocks (i32.gt_u (i32.add (local.get $position) (i32.const 64)) (local.get $end)))
        ;; Written out, not called: V8 does not inline WebAssembly calls (half the speed).
        (local.set $bytes (v128.load offset=0 (local.get $position)))
        (v128.store offset=0 (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $bytes (v128.load offset=16 (local.get $position)))
        (v128.store offset=16 (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $bytes (v128.load offset=32 (local.get $position)))
        (v128.store offset=32 (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $bytes (v128.load offset=48 (local.get $position)))
        (v128.store offset=48 (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $position (i32.add (local.get $position) (i32.const 64)))
        (br $next)))
    (block $vectors
      (loop $next
        (br_if $vectors (i32.gt_u (i32.add (local.get $position) (i32.const 16)) (local.get $end)))
        (local.set $bytes (v128.load (local.get $position)))
        (v128.store (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $position (i32.add (local.get $position) (i32.const 16)))
        (br $next)))
    (block $bytes
      (loop $next
        (br_if $bytes (i32.ge_u (local.get $position) (local.get $end)))
        (call $uppercaseAsciiByte (local.get $position))
        (local.set $position (i32.add (local.get $position) (i32.const 1)))
        (br $next))))

  ;; As uppercaseAscii while the bytes are ASCII; returns the index of the first byte >= 0x80
  ;; (or `end`), before which everything is uppercased and from which nothing is. Sixty-four
  ;; bytes per step while none of them is >= 0x80, then sixteen, then one at a time.
  (func (export "uppercaseAsciiRun") (param $position i32) (param $end i32) (result i32)
    (local $bytes v128) (local $x20 v128) (local $x1f v128) (local $x9a v128)
    (local $b0 v128) (local $b16 v128) (local $b32 v128) (local $b48 v128)
    (local.set $x20 (v128.load (i32.const 0x1ff00)))
    (local.set $x1f (v128.load (i32.const 0x1ff10)))
    (local.set $x9a (v128.load (i32.const 0x1ff20)))
    (block $blocks
      (loop $next
        (br_if $blocks (i32.gt_u (i32.add (local.get $position) (i32.const 64)) (local.get $end)))
        (local.set $b0 (v128.load offset=0 (local.get $position)))
        (local.set $b16 (v128.load offset=16 (local.get $position)))
        (local.set $b32 (v128.load offset=32 (local.get $position)))
        (local.set $b48 (v128.load offset=48 (local.get $position)))
        ;; A byte >= 0x80 anywhere in the sixty-four: the steps of sixteen find where.
        (br_if $blocks (i8x16.bitmask
          (v128.or (v128.or (local.get $b0) (local.get $b16)) (v128.or (local.get $b32) (local.get $b48)))))
        (v128.store offset=0 (local.get $position)
          (v128.xor (local.get $b0)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $b0) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (v128.store offset=16 (local.get $position)
          (v128.xor (local.get $b16)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $b16) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (v128.store offset=32 (local.get $position)
          (v128.xor (local.get $b32)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $b32) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (v128.store offset=48 (local.get $position)
          (v128.xor (local.get $b48)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $b48) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $position (i32.add (local.get $position) (i32.const 64)))
        (br $next)))
    (block $vectors
      (loop $next
        (br_if $vectors (i32.gt_u (i32.add (local.get $position) (i32.const 16)) (local.get $end)))
        (local.set $bytes (v128.load (local.get $position)))
        (br_if $vectors (i8x16.bitmask (local.get $bytes)))
        (v128.store (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f)) (local.get $x9a))
                      (local.get $x20))))
        (local.set $position (i32.add (local.get $position) (i32.const 16)))
        (br $next)))
    (block $stop
      (loop $next
        (br_if $stop (i32.ge_u (local.get $position) (local.get $end)))
        (br_if $stop (i32.ge_u (i32.load8_u (local.get $position)) (i32.const 0x80)))
        (call $uppercaseAsciiByte (local.get $position))
        (local.set $position (i32.add (local.get $position) (i32.const 1)))
        (br $next)))
    (local.get $position))

  ;; Sixteen copies of each byte the SIMD loops compare with or add, at the end of memory.
  (data (i32.const 0x1ff00)
    "\20\20\20\20\20\20\20\20\20\20\20\20\20\20\20\20"
    "\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f\1f"
    "\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a\9a"
    "\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe\fe"
    "\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2\c2"
    "\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0\c0"
    "\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3\c3"
    "\40\40\40\40\40\40\40\40\40\40\40\40\40\40\40\40"
    "\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5\b5"
    "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff"
    "\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0\a0"
    "\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f\9f"
    "\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7\f7"
  )

  ;; Uppercases [position, end) in place: ASCII, and 2-byte characters the table maps to 2 bytes.
  ;; Returns where it stopped: `end`, or the first byte of anything else (the caller's part).
  ;; Sixteen bytes per step while they are ASCII and Latin-1 letters and signs (lead 0xc2 or
  ;; 0xc3: Spanish, French, German...), whose uppercase needs no table; a step with anything
  ;; else takes its sixteen bytes one character at a time, through the table.
  (func (export "uppercaseLatin") (param $position i32) (param $end i32) (result i32)
    (local $first i32) (local $second i32) (local $upper i32) (local $characterwiseUntil i32)
    (local $bytes v128) (local $previous v128) (local $lead v128) (local $continuation v128)
    (local $codePoint v128)
    (local $x20 v128) (local $x1f v128) (local $x9a v128) (local $xfe v128) (local $xc2 v128) (local $xc0 v128) (local $xc3 v128) (local $x40 v128) (local $xb5 v128) (local $xff v128) (local $xa0 v128) (local $x9f v128) (local $xf7 v128)
    ;; Constants from memory, not splats: V8 would build each splat again at every use.
    (local.set $x20 (v128.load (i32.const 0x1ff00)))
    (local.set $x1f (v128.load (i32.const 0x1ff10)))
    (local.set $x9a (v128.load (i32.const 0x1ff20)))
    (local.set $xfe (v128.load (i32.const 0x1ff30)))
    (local.set $xc2 (v128.load (i32.const 0x1ff40)))
    (local.set $xc0 (v128.load (i32.const 0x1ff50)))
    (local.set $xc3 (v128.load (i32.const 0x1ff60)))
    (local.set $x40 (v128.load (i32.const 0x1ff70)))
    (local.set $xb5 (v128.load (i32.const 0x1ff80)))
    (local.set $xff (v128.load (i32.const 0x1ff90)))
    (local.set $xa0 (v128.load (i32.const 0x1ffa0)))
    (local.set $x9f (v128.load (i32.const 0x1ffb0)))
    (local.set $xf7 (v128.load (i32.const 0x1ffc0)))
    (local.set $characterwiseUntil (local.get $position))
    (block $stop
      (loop $next
        (if (i32.and (i32.ge_u (local.get $position) (local.get $characterwiseUntil))
                     (i32.le_u (i32.add (local.get $position) (i32.const 16)) (local.get $end)))
          (then
            (local.set $bytes (v128.load (local.get $position)))
            ;; Signed compares only (unsigned ones take several instructions on x86): a byte in
            ;; 'a'..'z' is one that plus 0x1f is below 0x9a signed.
            (if (i32.eqz (i8x16.bitmask (local.get $bytes)))
              (then
                (v128.store (local.get $position)
                  (v128.xor (local.get $bytes)
                    (v128.and (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f))
                                          (local.get $x9a))
                              (local.get $x20))))
                (local.set $position (i32.add (local.get $position) (i32.const 16)))
                (br $next)))
            ;; Each byte's predecessor, the bytes moved up one lane: the byte before the step is
            ;; the caller's or the last of a whole character (see the lead in the last byte
            ;; below), never a 0xc2/0xc3 lead of this step's first byte, so a zero stands for it. (A load at position - 1 would also
            ;; wait for the last step's store, which the processor cannot forward to it.)
            (local.set $previous
              (i8x16.shuffle 16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14
                (local.get $bytes) (v128.const i64x2 0 0)))
            (local.set $lead (i8x16.eq (v128.and (local.get $bytes) (local.get $xfe))
                                       (local.get $xc2)))
            ;; 0x80..0xbf: below 0xc0 signed, and ASCII is not.
            (local.set $continuation (i8x16.lt_s (local.get $bytes) (local.get $xc0)))
            ;; For the continuation of a 0xc2/0xc3 lead, the low byte of its code point.
            (local.set $codePoint
              (i8x16.add (local.get $bytes)
                (v128.and (i8x16.eq (local.get $previous) (local.get $xc3))
                          (local.get $x40))))
            ;; The step is ours when each continuation follows a 0xc2/0xc3 lead and each byte
            ;; after one is a continuation, every other byte is ASCII or such a lead, and none
            ;; is µ (b5), ß (df) nor ÿ (ff), whose uppercase is another lead or longer: the
            ;; table's part. A lead in the last byte is checked with its continuation next step.
            (if (i32.eqz (i8x16.bitmask
                  (v128.or
                    (v128.or
                      (v128.xor (local.get $continuation)
                        (i8x16.eq (v128.and (local.get $previous) (local.get $xfe))
                                  (local.get $xc2)))
                      ;; Only the top bits count (bitmask): a byte's own top bit marks it non-ASCII.
                      (v128.andnot (local.get $bytes) (v128.or (local.get $continuation) (local.get $lead))))
                    (v128.or
                      (i8x16.eq (local.get $codePoint) (local.get $xb5))
                      (i8x16.eq (v128.or (local.get $codePoint) (local.get $x20)) (local.get $xff))))))
              (then
                ;; a-z, and U+00E0..U+00FE but ÷ (U+00F7): 0x20 cleared from the byte that
                ;; changes (code point plus 0xa0 below 0x9f signed is U+00E0..U+00FE).
                (v128.store (local.get $position)
                  (v128.xor (local.get $bytes)
                    (v128.and
                      (v128.or
                        (i8x16.lt_s (i8x16.add (local.get $bytes) (local.get $x1f))
                                    (local.get $x9a))
                        (v128.andnot
                          (i8x16.lt_s (i8x16.add (local.get $codePoint) (local.get $xa0))
                                      (local.get $x9f))
                          (i8x16.eq (local.get $codePoint) (local.get $xf7))))
                      (local.get $x20))))
                ;; A lead in the last byte waits for the next step, with its continuation, so
                ;; that a step always starts at a whole character.
                (local.set $position (i32.add (local.get $position)
                  (i32.sub (i32.const 16) (i32.and (i8x16.extract_lane_u 15 (local.get $lead)) (i32.const 1)))))
                (br $next)))
            (local.set $characterwiseUntil (i32.add (local.get $position) (i32.const 16)))))
        (br_if $stop (i32.ge_u (local.get $position) (local.get $end)))
        (local.set $first (i32.load8_u (local.get $position)))
        (if (i32.lt_u (local.get $first) (i32.const 0x80))
          (then
            (if (i32.lt_u (i32.sub (local.get $first) (i32.const 0x61)) (i32.const 26))
              (then (i32.store8 (local.get $position) (i32.sub (local.get $first) (i32.const 0x20)))))
            (local.set $position (i32.add (local.get $position) (i32.const 1)))
            (br $next)))
        ;; A 2-byte character: lead 0xc2..0xdf, then a continuation byte, both here.
        (br_if $stop (i32.lt_u (local.get $first) (i32.const 0xc2)))
        (br_if $stop (i32.gt_u (local.get $first) (i32.const 0xdf)))
        (br_if $stop (i32.ge_u (i32.add (local.get $position) (i32.const 1)) (local.get $end)))
        (local.set $second (i32.load8_u offset=1 (local.get $position)))
        (br_if $stop (i32.ne (i32.and (local.get $second) (i32.const 0xc0)) (i32.const 0x80)))
        (local.set $upper (i32.load16_u
          (i32.shl
            (i32.or (i32.shl (i32.and (local.get $first) (i32.const 0x1f)) (i32.const 6))
                    (i32.and (local.get $second) (i32.const 0x3f)))
            (i32.const 1))))
        (br_if $stop (i32.eqz (local.get $upper)))
        (i32.store8 (local.get $position) (i32.shr_u (local.get $upper) (i32.const 8)))
        (i32.store8 offset=1 (local.get $position) (local.get $upper))
        (local.set $position (i32.add (local.get $position) (i32.const 2)))
        (br $next)))
    (local.get $position)))
