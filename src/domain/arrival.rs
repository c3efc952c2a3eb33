//! When a parcel should arrive (docs/MANAGEMENT.md, "Shipping notices"): estimated from the
//! shop's own delivery history — how long the same carrier took to the same province, else the
//! carrier anywhere, else any parcel of the shop — or taken from the carrier's own estimate when
//! a tracking push carries one. Pure: the caller reads the history.

use serde::Serialize;
use utoipa::ToSchema;

/// The provinces, autonomous regions, municipalities and special administrative regions an
/// address in China begins with (longest names first where one begins another).
const PROVINCES: &[&str] = &[
    "黑龙江",
    "内蒙古",
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
];

/// The province an address is in, by its first words (`浙江省杭州市…` → 浙江, `上海市…` → 上海).
pub fn province_of(address: &str) -> Option<&'static str> {
    let address = address.trim_start();
    PROVINCES
        .iter()
        .copied()
        .find(|province| address.starts_with(province))
}

/// What an estimate is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The same carrier to the same province.
    CarrierProvince,
    /// The same carrier, anywhere.
    Carrier,
    /// Any of the shop's parcels.
    Shop,
    /// The carrier's own estimate, from a tracking push.
    CarrierEstimate,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::CarrierProvince => "carrier_province",
            Basis::Carrier => "carrier",
            Basis::Shop => "shop",
            Basis::CarrierEstimate => "carrier_estimate",
        }
    }

    pub fn parse(text: &str) -> Option<Basis> {
        [
            Basis::CarrierProvince,
            Basis::Carrier,
            Basis::Shop,
            Basis::CarrierEstimate,
        ]
        .into_iter()
        .find(|basis| basis.as_str() == text)
    }
}

/// A past delivery: the carrier as written, where it went, how long it took.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub carrier: String,
    pub province: Option<&'static str>,
    pub transit_micros: i64,
}

/// Fewer past deliveries than this say nothing.
pub const MIN_SAMPLES: usize = 5;

/// The window a parcel should arrive in: from `shipped + median` to `shipped + p80` of the
/// chosen history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub from: i64,
    pub to: i64,
    pub basis: Basis,
    /// How many past deliveries it rests on (none for the carrier's estimate).
    pub samples: usize,
}

fn carrier_key(carrier: &str) -> String {
    carrier.trim().to_lowercase()
}

/// The `share` quantile (0–1) of sorted values, by the nearest rank.
fn quantile(sorted: &[i64], share: f64) -> i64 {
    let rank = ((share * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// The expected arrival of a parcel shipped at `shipped_at` with `carrier` to `province`, from
/// the shop's `history`: the narrowest group with enough deliveries.
pub fn estimate(
    history: &[Delivered],
    carrier: &str,
    province: Option<&str>,
    shipped_at: i64,
) -> Option<Expected> {
    let carrier = carrier_key(carrier);
    let same_carrier = |delivered: &&Delivered| carrier_key(&delivered.carrier) == carrier;
    let groups: [(Basis, Vec<i64>); 3] = [
        (
            Basis::CarrierProvince,
            history
                .iter()
                .filter(same_carrier)
                .filter(|delivered| province.is_some() && delivered.province == province)
                .map(|delivered| delivered.transit_micros)
                .collect(),
        ),
        (
            Basis::Carrier,
            history
                .iter()
                .filter(same_carrier)
                .map(|delivered| delivered.transit_micros)
                .collect(),
        ),
        (
            Basis::Shop,
            history
                .iter()
                .map(|delivered| delivered.transit_micros)
                .collect(),
        ),
    ];
    groups
        .into_iter()
        .find(|(_, transits)| transits.len() >= MIN_SAMPLES)
        .and_then(|(basis, mut transits)| {
            transits.retain(|transit| *transit > 0);
            transits.sort_unstable();
            let samples = transits.len();
            (samples > 0).then(|| Expected {
                from: shipped_at + quantile(&transits, 0.5),
                to: shipped_at + quantile(&transits, 0.8),
                basis,
                samples,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;

    fn delivered(carrier: &str, province: Option<&'static str>, hours: i64) -> Delivered {
        Delivered {
            carrier: carrier.into(),
            province,
            transit_micros: hours * HOUR,
        }
    }

    #[test]
    fn provinces_are_read_from_the_addresss_start() {
        assert_eq!(province_of("浙江省杭州市余杭区文一西路"), Some("浙江"));
        assert_eq!(province_of("上海市浦东新区世纪大道100号"), Some("上海"));
        assert_eq!(province_of("内蒙古自治区呼和浩特市"), Some("内蒙古"));
        assert_eq!(province_of("黑龙江省哈尔滨市"), Some("黑龙江"));
        assert_eq!(province_of("1 Infinite Loop, Cupertino"), None);
    }

    #[test]
    fn the_narrowest_group_with_enough_deliveries_decides() {
        let mut history: Vec<Delivered> = [24, 30, 36, 40, 48]
            .into_iter()
            .map(|hours| delivered("顺丰", Some("上海"), hours))
            .collect();
        history.extend(
            [60, 70, 80]
                .into_iter()
                .map(|hours| delivered("顺丰", Some("新疆"), hours)),
        );
        history.extend(
            [90, 100, 110, 120, 130, 140]
                .into_iter()
                .map(|hours| delivered("中通", Some("上海"), hours)),
        );
        // 顺丰 to 上海: five deliveries, median 36 h, p80 40 h.
        let shanghai = estimate(&history, " 顺丰", Some("上海"), 0).unwrap();
        assert_eq!(shanghai.basis, Basis::CarrierProvince);
        assert_eq!((shanghai.from, shanghai.to), (36 * HOUR, 40 * HOUR));
        assert_eq!(shanghai.samples, 5);
        // 顺丰 to 新疆: three are too few, so 顺丰 anywhere (8: median 40, p80 70).
        let xinjiang = estimate(&history, "顺丰", Some("新疆"), 10).unwrap();
        assert_eq!(xinjiang.basis, Basis::Carrier);
        assert_eq!(
            (xinjiang.from, xinjiang.to),
            (10 + 40 * HOUR, 10 + 70 * HOUR)
        );
        // An unknown carrier: the shop's fourteen parcels.
        let other = estimate(&history, "韵达", Some("上海"), 0).unwrap();
        assert_eq!((other.basis, other.samples), (Basis::Shop, 14));
        assert!(estimate(&history[..4], "顺丰", Some("上海"), 0).is_none());
    }
}
