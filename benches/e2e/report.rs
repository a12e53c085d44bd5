//! The benchmark's report: Markdown, printed as it goes and collected so
//! the run ends with the targets met and missed.

pub struct Report {
    lines: Vec<String>,
    missed: Vec<String>,
}

impl Report {
    pub fn new() -> Report {
        Report {
            lines: Vec::new(),
            missed: Vec::new(),
        }
    }

    fn push(&mut self, line: String) {
        println!("{line}");
        self.lines.push(line);
    }

    pub fn heading(&mut self, title: &str) {
        self.push(String::new());
        self.push(format!("### {title}"));
        self.push(String::new());
    }

    pub fn line(&mut self, text: &str) {
        self.push(format!("- {text}"));
    }

    /// A target: met or missed, with the measured value.
    pub fn target(&mut self, name: &str, met: bool, measured: &str) {
        let verdict = if met { "met" } else { "**MISSED**" };
        self.push(format!("- target {name}: {verdict} ({measured})"));
        if !met {
            self.missed.push(format!("{name}: {measured}"));
        }
    }

    pub fn missed(&self) -> &[String] {
        &self.missed
    }

    pub fn markdown(&self) -> String {
        self.lines.join("\n") + "\n"
    }
}

/// The machine, for the report's header.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores ({model}), {mem_gib:.0} GiB RAM")
}
