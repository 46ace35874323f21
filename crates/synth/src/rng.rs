//! The generator's own random numbers: xoshiro256** seeded through
//! SplitMix64, with the Box–Muller normal (the same on every platform).

pub(super) fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** seeded through SplitMix64, with a Box–Muller normal.
#[derive(Debug, Clone)]
pub(super) struct Rng {
    pub(super) s: [u64; 4],
    pub(super) spare: Option<f64>,
}

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        let mut x = seed;
        let s = [
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
        ];
        Rng { s, spare: None }
    }

    /// An independent stream for `(seed, stream)`.
    pub(super) fn stream(seed: u64, stream: u64) -> Rng {
        let mut x = seed;
        let a = splitmix(&mut x);
        let mut y = stream ^ 0x5851_F42D_4C95_7F2D;
        let b = splitmix(&mut y);
        Rng::new(a ^ b.rotate_left(23))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub(super) fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(super) fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f64()
    }

    /// Log-uniform in [a, b] (a, b > 0).
    pub(super) fn log_range(&mut self, a: f64, b: f64) -> f64 {
        (a.ln() + (b.ln() - a.ln()) * self.f64()).exp()
    }

    /// Uniform integer in [0, n) (0 when n is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    pub(super) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }

    pub(super) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Timeline: snapshot times and boot epochs
// ---------------------------------------------------------------------------------------------
