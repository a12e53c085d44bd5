//! CPU time of the other processes on the machine, to show where the two
//! cores went during a run: the bot, PostgreSQL, Redis, and this harness
//! (the fake Telegram and the load generator) all share them.

/// Linux reports CPU times in clock ticks of 1/100 s.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of every process whose name is `name`.
pub fn cpu_seconds_of(name: &str) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter_map(|stat| {
            let (head, rest) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1;
            (comm == name).then(|| ticks(rest))
        })
        .sum()
}

/// CPU seconds of this process (the harness with the fake Telegram).
pub fn own_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, rest)| ticks(rest)))
        .unwrap_or(0.0)
}

fn ticks(after_name: &str) -> f64 {
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime: the 14th and 15th fields of the whole line.
    (field(11) + field(12)) / CLOCK_TICKS_PER_SECOND
}

/// CPU seconds used by each party between two snapshots.
pub struct CpuSnapshot {
    postgres: f64,
    redis: f64,
    harness: f64,
}

impl CpuSnapshot {
    pub fn take() -> CpuSnapshot {
        CpuSnapshot {
            postgres: cpu_seconds_of("postgres"),
            redis: cpu_seconds_of("redis-server"),
            harness: own_cpu_seconds(),
        }
    }

    /// CPU seconds of PostgreSQL and Redis together since `self`.
    pub fn services_seconds(&self) -> f64 {
        let now = CpuSnapshot::take();
        (now.postgres - self.postgres) + (now.redis - self.redis)
    }

    /// "PostgreSQL 12.3 s, Redis 1.2 s, harness 8.0 s" since `self`.
    pub fn since(&self) -> String {
        let now = CpuSnapshot::take();
        format!(
            "PostgreSQL {:.1} s, Redis {:.1} s, the harness (fake Telegram and load) {:.1} s",
            now.postgres - self.postgres,
            now.redis - self.redis,
            now.harness - self.harness
        )
    }
}
