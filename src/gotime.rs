//! Times as Go writes and reads them in `.info` files: RFC 3339 text, parsed with exactly
//! the leniency of Go's `time.Time.UnmarshalJSON`, and dates for modcache's reports.
//! Times are seconds since the Unix epoch, in UTC.

/// Parse `s` as Go's `time.Time.UnmarshalJSON` does (`parseStrictRFC3339`: the strict RFC
/// 3339 parser, then `time.Parse(time.RFC3339, s)` as the fallback Go still allows), into
/// seconds since the Unix epoch; `None` where Go fails. Accepted:
/// `YYYY-MM-DDTHH:MM:SS[(.|,)frac](Z|±hh:mm)` with a real date, hour 0–23 (one or two
/// digits, as the fallback allows), minutes and seconds 0–59, a zone of at most ±24:60
/// (the fallback's limits). `T` and `Z` must be upper case. The fraction is dropped.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    fn num(s: &str, min: i64, max: i64) -> Option<i64> {
        let n: i64 = s.parse().ok()?;
        (s.bytes().all(|c| c.is_ascii_digit()) && (min..=max).contains(&n)).then_some(n)
    }
    let (date, time) = s.split_once('T')?;
    let [y, m, d] = <[&str; 3]>::try_from(date.split('-').collect::<Vec<_>>()).ok()?;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let year = num(y, 0, 9999)?;
    let month = num(m, 1, 12)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let day = num(d, 1, days)?;
    let zone_at = time.find(['Z', '+', '-'])?;
    let (clock, zone) = time.split_at(zone_at);
    let (clock, frac) = match clock.find(['.', ',']) {
        Some(i) => (&clock[..i], Some(&clock[i + 1..])),
        None => (clock, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let [h, mi, se] = <[&str; 3]>::try_from(clock.split(':').collect::<Vec<_>>()).ok()?;
    if !(1..=2).contains(&h.len()) || mi.len() != 2 || se.len() != 2 {
        return None;
    }
    let clock = num(h, 0, 23)? * 3600 + num(mi, 0, 59)? * 60 + num(se, 0, 59)?;
    let offset = match zone.as_bytes() {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let offset = num(&zone[1..3], 0, 24)? * 3600 + num(&zone[4..6], 0, 60)? * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    Some(days_from_civil(year, month, day) * 86400 + clock - offset)
}

/// `YYYY-MM-DD` (UTC) of a time in seconds since the Unix epoch.
pub fn format_date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 in UTC (`2019-01-02T03:04:05Z`) of a time in seconds since the Unix epoch.
pub fn format_rfc3339(t: i64) -> String {
    let secs = t.rem_euclid(86400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(t),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

// Howard Hinnant's algorithms (http://howardhinnant.github.io/date_algorithms.html).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_like_go_parses_them() {
        // Each verdict checked against Go 1.27's json.Unmarshal into a time.Time.
        for ok in [
            "2018-02-14T15:44:20Z",
            "2020-02-29T23:59:59Z",
            "2019-01-02T03:04:05.123456789-07:00",
            "2019-01-02T3:04:05Z",
            "2019-01-02T03:04:05,5Z",
            "0001-01-01T00:00:00Z",
            "2018-02-14T15:44:20+24:00",
            "2018-02-14T15:44:20+01:60",
        ] {
            assert!(parse_rfc3339(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "2018-02-14",
            "2018-13-14T15:44:20Z",
            "2019-02-29T00:00:00Z",
            "2018-04-31T00:00:00Z",
            "2018-02-14T24:00:00Z",
            "2018-02-14T15:60:00Z",
            "2018-02-14T15:44:60Z",
            "2018-02-14t15:44:20Z",
            "2018-02-14T15:44:20z",
            "2018-02-14T15:44:20",
            "2018-02-14 15:44:20Z",
            "18-02-14T15:44:20Z",
            "x018-02-14T15:44:20Z",
            "2018-02-14T15:44:20.Z",
            "2018-02-14T15:44:20+0100",
            "2018-02-14T15:44:20+25:00",
            "2018-02-14T15:44:20+01:99",
            "10000-01-01T00:00:00Z",
            "yesterday",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_convert_to_seconds_and_back() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2018-02-14T15:44:20Z"), Some(1518623060));
        assert_eq!(
            parse_rfc3339("2018-02-14T15:44:20.123456789Z"),
            Some(1518623060)
        );
        assert_eq!(parse_rfc3339("2018-02-14T16:44:20+01:00"), Some(1518623060));
        assert_eq!(parse_rfc3339("2018-02-14T10:44:20-05:00"), Some(1518623060));
        assert_eq!(parse_rfc3339("2018-02-14T5:44:20-10:00"), Some(1518623060));
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), Some(-62_135_596_800));
        assert_eq!(format_rfc3339(1518623060), "2018-02-14T15:44:20Z");
        assert_eq!(format_date(-1), "1969-12-31");
        for t in [0, 951782400, 4107542400, 1709164800 + 86399] {
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
        }
    }
}
