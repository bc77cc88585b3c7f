/** Saved queries GraphiQL opens with: the questions provincial analysts ask first. */
export const EXAMPLE_QUERIES: { title: string; query: string }[] = [
  {
    title: 'Communes of my province',
    query: `# Communes of Lạng Sơn (province 20) in force today, with their villages
query CommunesOfProvince {
  units(under: "20", level: COMMUNE, first: 10) {
    totalCount
    edges { node { code fullName children { code name } } }
  }
}`,
  },
  {
    title: 'A unit through the 2025 reorganisation',
    query: `# xã Lợi Bác before and after 1 July 2025: what it was formed from, where its villages were
query UnitHistory {
  today: unit(code: "06601") { fullName parent { fullName } predecessors { code fullName parent { fullName } } }
  before: unit(code: "06601", asOf: "2025-01-01") { fullName validTo parent { fullName } children { code name } }
}`,
  },
  {
    title: 'Accent-insensitive search',
    query: `# "loi bac" finds Lợi Bác
query Search {
  units(search: "loi bac") { edges { node { code fullName level parent { fullName } } } }
}`,
  },
  {
    title: 'Who has not reported',
    query: `# Communes of Lạng Sơn that have not reported People's Council deputies for 2026 (chưa báo cáo),
# with on time = first recorded by 31 January 2027; give obligation: "<id>" instead of indicator for a plan's report
query WhoHasNotReported {
  reportingCompleteness(area: "20", indicator: "PEOPLES_COUNCIL_DEPUTY", period: "2026", deadline: "2027-01-31") {
    unit { code fullName }
    expected reported reportedOnTime rate onTimeRate
    missing(first: 10) { code fullName }
  }
}`,
  },
];
