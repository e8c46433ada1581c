//! Timestamps in the API's formats, and ages as kubectl prints them.

use jiff::Timestamp;

/// RFC 3339 with seconds (`metav1.Time`).
pub fn now() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 with microseconds (`metav1.MicroTime`).
pub fn now_micro() -> String {
    Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Seconds since an RFC 3339 timestamp, or 0 when it does not parse.
pub fn seconds_since(ts: &str) -> i64 {
    ts.parse::<Timestamp>()
        .map(|t| Timestamp::now().as_second() - t.as_second())
        .unwrap_or(0)
        .max(0)
}

/// kubectl's short human duration: 45s, 5m10s, 3h, 2d4h, 400d.
pub fn human_age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..120 => format!("{s}s"),
        120..600 => format!("{}m{}s", s / 60, s % 60).replace("m0s", "m"),
        600..10800 => format!("{}m", s / 60),
        10800..172800 => {
            let (h, m) = (s / 3600, (s % 3600) / 60);
            if h < 8 && m > 0 {
                format!("{h}h{m}m")
            } else {
                format!("{h}h")
            }
        }
        _ => {
            let (d, h) = (s / 86400, (s % 86400) / 3600);
            if d < 8 && h > 0 {
                format!("{d}d{h}h")
            } else {
                format!("{d}d")
            }
        }
    }
}

pub fn age_of(ts: Option<&str>) -> String {
    ts.map(|t| human_age(seconds_since(t)))
        .unwrap_or_else(|| "<unknown>".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_like_kubectl() {
        assert_eq!(human_age(5), "5s");
        assert_eq!(human_age(130), "2m10s");
        assert_eq!(human_age(180), "3m");
        assert_eq!(human_age(3 * 3600 + 60), "3h1m");
        assert_eq!(human_age(3 * 86400), "3d");
    }
}
