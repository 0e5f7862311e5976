;; The unicode mode's fast path for text in Latin, Greek, Cyrillic and other scripts of 2-byte
;; UTF-8 characters (src/transform/latin-kernel.ts loads it; `npm run build:wasm` rebuilds
;; latin-kernel-wasm.ts from this file). Memory: the 2-byte table at 0 (2,048 entries of 16
;; bits, as TWO_BYTE_UPPERCASE: (first << 8) | second, or 0), the bytes to uppercase after it.
;; Also the ASCII kernels for long runs, sixteen bytes per step in SIMD (ascii.ts calls them).
(module
  (memory (export "memory") 2)

  ;; Sixteen bytes at once (written out in both loops below): a byte in 'a'..'z' is one whose
  ;; value minus 'a' is below 26 unsigned; 0x20 is cleared from those, every other byte kept.

  ;; One byte: its uppercase when in 'a'..'z'.
  (func $uppercaseAsciiByte (param $position i32)
    (local $byte i32)
    (local.set $byte (i32.load8_u (local.get $position)))
    (if (i32.lt_u (i32.sub (local.get $byte) (i32.const 0x61)) (i32.const 26))
      (then (i32.store8 (local.get $position) (i32.sub (local.get $byte) (i32.const 0x20))))))

  ;; Uppercases a-z in [position, end) in place (the ascii mode: binary-safe, same length).
  (func (export "uppercaseAscii") (param $position i32) (param $end i32)
    (local $bytes v128) (local $a v128) (local $letters v128) (local $bit v128)
    (local.set $a (i8x16.splat (i32.const 0x61)))
    (local.set $letters (i8x16.splat (i32.const 26)))
    (local.set $bit (i8x16.splat (i32.const 0x20)))
    (block $vectors
      (loop $next
        (br_if $vectors (i32.gt_u (i32.add (local.get $position) (i32.const 16)) (local.get $end)))
        ;; Written out, not called: V8 does not inline WebAssembly calls (half the speed).
        (local.set $bytes (v128.load (local.get $position)))
        (v128.store (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_u (i8x16.sub (local.get $bytes) (local.get $a)) (local.get $letters))
                      (local.get $bit))))
        (local.set $position (i32.add (local.get $position) (i32.const 16)))
        (br $next)))
    (block $bytes
      (loop $next
        (br_if $bytes (i32.ge_u (local.get $position) (local.get $end)))
        (call $uppercaseAsciiByte (local.get $position))
        (local.set $position (i32.add (local.get $position) (i32.const 1)))
        (br $next))))

  ;; As uppercaseAscii while the bytes are ASCII; returns the index of the first byte >= 0x80
  ;; (or `end`), before which everything is uppercased and from which nothing is.
  (func (export "uppercaseAsciiRun") (param $position i32) (param $end i32) (result i32)
    (local $bytes v128) (local $a v128) (local $letters v128) (local $bit v128)
    (local.set $a (i8x16.splat (i32.const 0x61)))
    (local.set $letters (i8x16.splat (i32.const 26)))
    (local.set $bit (i8x16.splat (i32.const 0x20)))
    (block $vectors
      (loop $next
        (br_if $vectors (i32.gt_u (i32.add (local.get $position) (i32.const 16)) (local.get $end)))
        (local.set $bytes (v128.load (local.get $position)))
        (br_if $vectors (i8x16.bitmask (local.get $bytes)))
        (v128.store (local.get $position)
          (v128.xor (local.get $bytes)
            (v128.and (i8x16.lt_u (i8x16.sub (local.get $bytes) (local.get $a)) (local.get $letters))
                      (local.get $bit))))
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

  ;; Uppercases [position, end) in place: ASCII, and 2-byte characters the table maps to 2 bytes.
  ;; Returns where it stopped: `end`, or the first byte of anything else (the caller's part).
  ;; Sixteen bytes per step while they are ASCII and Latin-1 letters and signs (lead 0xc2 or
  ;; 0xc3: Spanish, French, German...), whose uppercase needs no table; a step with anything
  ;; else takes its sixteen bytes one character at a time, through the table.
  (func (export "uppercaseLatin") (param $position i32) (param $end i32) (result i32)
    (local $first i32) (local $second i32) (local $upper i32) (local $characterwiseUntil i32)
    (local $bytes v128) (local $previous v128) (local $next v128)
    (local $previousC2 v128) (local $previousC3 v128) (local $lead v128) (local $continuation v128)
    (local $a v128) (local $letters v128) (local $bit v128) (local $c0 v128) (local $x80 v128)
    (local $c2 v128) (local $c3 v128) (local $a0 v128)
    (local.set $a (i8x16.splat (i32.const 0x61)))
    (local.set $letters (i8x16.splat (i32.const 26)))
    (local.set $bit (i8x16.splat (i32.const 0x20)))
    (local.set $c0 (i8x16.splat (i32.const 0xc0)))
    (local.set $x80 (i8x16.splat (i32.const 0x80)))
    (local.set $c2 (i8x16.splat (i32.const 0xc2)))
    (local.set $c3 (i8x16.splat (i32.const 0xc3)))
    (local.set $a0 (i8x16.splat (i32.const 0xa0)))
    ;; The first character one at a time: after it, the byte before each step is the last of a
    ;; whole character, so a step reads it (offset -1) without looking before `position`.
    (local.set $characterwiseUntil (i32.add (local.get $position) (i32.const 1)))
    (block $stop
      (loop $next
        ;; A step needs the byte after its sixteen too (a lead's continuation), so 17 here.
        (if (i32.and (i32.ge_u (local.get $position) (local.get $characterwiseUntil))
                     (i32.le_u (i32.add (local.get $position) (i32.const 17)) (local.get $end)))
          (then
            (local.set $bytes (v128.load (local.get $position)))
            (if (i32.eqz (i8x16.bitmask (local.get $bytes)))
              (then
                (v128.store (local.get $position)
                  (v128.xor (local.get $bytes)
                    (v128.and (i8x16.lt_u (i8x16.sub (local.get $bytes) (local.get $a)) (local.get $letters))
                              (local.get $bit))))
                (local.set $position (i32.add (local.get $position) (i32.const 16)))
                (br $next)))
            (local.set $previous (v128.load offset=0 (i32.sub (local.get $position) (i32.const 1))))
            (local.set $next (v128.load offset=1 (local.get $position)))
            (local.set $previousC2 (i8x16.eq (local.get $previous) (local.get $c2)))
            (local.set $previousC3 (i8x16.eq (local.get $previous) (local.get $c3)))
            (local.set $continuation (i8x16.eq (v128.and (local.get $bytes) (local.get $c0)) (local.get $x80)))
            (local.set $lead (v128.or (i8x16.eq (local.get $bytes) (local.get $c2))
                                      (i8x16.eq (local.get $bytes) (local.get $c3))))
            ;; Every byte ASCII, a 0xc2/0xc3 lead before a continuation, or a continuation after
            ;; one, but not µ (c2 b5), ß (c3 9f) nor ÿ (c3 bf): their uppercase is another lead
            ;; or longer, the table's part.
            (if (i8x16.all_true
                  (v128.or
                    (v128.or
                      (i8x16.ge_s (local.get $bytes) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))
                      (v128.and (local.get $lead)
                        (i8x16.eq (v128.and (local.get $next) (local.get $c0)) (local.get $x80))))
                    (v128.andnot
                      (v128.and (local.get $continuation)
                                (v128.or (local.get $previousC2) (local.get $previousC3)))
                      (v128.or
                        (v128.and (local.get $previousC2)
                                  (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0xb5))))
                        (v128.and (local.get $previousC3)
                          (v128.or (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0x9f)))
                                   (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0xbf)))))))))
              (then
                ;; a-z, and c3 a0..be but c3 b7 (÷): 0x20 cleared from the byte that changes.
                (v128.store (local.get $position)
                  (v128.xor (local.get $bytes)
                    (v128.and
                      (v128.or
                        (i8x16.lt_u (i8x16.sub (local.get $bytes) (local.get $a)) (local.get $letters))
                        (v128.andnot
                          (v128.and (local.get $previousC3)
                                    (i8x16.lt_u (i8x16.sub (local.get $bytes) (local.get $a0)) (local.get $bit)))
                          (i8x16.eq (local.get $bytes) (i8x16.splat (i32.const 0xb7)))))
                      (local.get $bit))))
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
