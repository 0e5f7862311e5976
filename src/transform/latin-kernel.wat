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

  ;; Eight ASCII bytes at once: 0x20 cleared from each byte in 'a'..'z' (as uppercaseWord in ascii.ts).
  (func $uppercaseAsciiWord (param $word i64) (result i64)
    (local $low7 i64)
    (local.set $low7 (i64.and (local.get $word) (i64.const 0x7f7f7f7f7f7f7f7f)))
    (i64.xor (local.get $word)
      (i64.shr_u
        (i64.and
          (i64.and (i64.add (local.get $low7) (i64.const 0x1f1f1f1f1f1f1f1f))
                   (i64.xor (i64.add (local.get $low7) (i64.const 0x0505050505050505)) (i64.const -1)))
          (i64.and (i64.xor (local.get $word) (i64.const -1)) (i64.const 0x8080808080808080)))
        (i64.const 2))))

  ;; Uppercases [position, end) in place: ASCII, and 2-byte characters the table maps to 2 bytes.
  ;; Returns where it stopped: `end`, or the first byte of anything else (the caller's part).
  (func (export "uppercaseLatin") (param $position i32) (param $end i32) (result i32)
    (local $first i32) (local $second i32) (local $upper i32) (local $word i64)
    (block $stop
      (loop $next
        ;; Eight bytes at once while they are all ASCII.
        (if (i32.le_u (i32.add (local.get $position) (i32.const 8)) (local.get $end))
          (then
            (local.set $word (i64.load (local.get $position)))
            (if (i64.eqz (i64.and (local.get $word) (i64.const 0x8080808080808080)))
              (then
                (i64.store (local.get $position) (call $uppercaseAsciiWord (local.get $word)))
                (local.set $position (i32.add (local.get $position) (i32.const 8)))
                (br $next)))))
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
