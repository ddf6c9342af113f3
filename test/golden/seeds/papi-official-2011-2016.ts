/**
 * Official PAPI provincial scores 2011–2016, reduced to what the rescaling tests read: for each year,
 * dimension and sub-dimension, the lowest and highest score across the provinces scored that year.
 * Extracted from PAPI_2011-2016.xlsx (papi.org.vn values as packaged by github.com/mdtrinh/vietnamdata,
 * CC0). That file stores 2015 and 2016 in single precision, so every value here has 7 significant
 * digits. Blank province-years are left out (61 provinces in 2014). Dimensions of 4 parts have
 * 2.5-point sub-dimensions, those of 3 parts 3.33-point ones; every dimension has 10 points.
 */
export interface PublishedRange {
  name: string;
  lo: number;
  hi: number;
}

export const PAPI_OFFICIAL_2011_2016: ReadonlyArray<{
  year: number;
  provinces: number;
  dimensions: ReadonlyArray<PublishedRange & { subdimensions: readonly PublishedRange[] }>;
}> = [
  { year: 2011, provinces: 63, dimensions: [
    { name: "Participation at Local Levels", lo: 4.320866, hi: 6.642126, subdimensions: [
      { name: "Civic Knowledge", lo: 0.8176692, hi: 1.492693 },
      { name: "Opportunities for Participation", lo: 1.494569, hi: 2.278709 },
      { name: "Quality of Elections", lo: 1.219549, hi: 1.853783 },
      { name: "Voluntary Contributions", lo: 0.4248174, hi: 1.163044 },
    ] },
    { name: "Transparency", lo: 4.435356, hi: 6.849039, subdimensions: [
      { name: "Poverty Lists", lo: 1.57821, hi: 3.13873 },
      { name: "Communal Budget and Expenditure", lo: 1.341124, hi: 2.297411 },
      { name: "Land-Use Plans/Price Frames", lo: 1.248933, hi: 1.903074 },
    ] },
    { name: "Vertical Accountability", lo: 4.735237, hi: 6.984396, subdimensions: [
      { name: "Interactions With Local Authorities", lo: 1.381748, hi: 2.346846 },
      { name: "People's Inspection Boards", lo: 1.412714, hi: 2.355387 },
      { name: "Community Investment Boards", lo: 1.404968, hi: 2.401149 },
    ] },
    { name: "Control of Corruption", lo: 4.05398, hi: 7.360318, subdimensions: [
      { name: "Limits on Public Sector Corruption", lo: 0.8312734, hi: 2.147152 },
      { name: "Limits on Corruption in Service Delivery", lo: 1.299524, hi: 2.251206 },
      { name: "Equity in Employment", lo: 0.4630081, hi: 1.478413 },
      { name: "Willingness to Fight Corruption", lo: 0.9754014, hi: 2.064025 },
    ] },
    { name: "Public Administrative Procedures", lo: 6.353442, hi: 7.465513, subdimensions: [
      { name: "Certification Procedures", lo: 1.37815, hi: 2.069058 },
      { name: "Construction Permits", lo: 1.550641, hi: 1.918087 },
      { name: "Land-Use Rights Procedures", lo: 1.278537, hi: 1.915427 },
      { name: "Personal Procedures", lo: 1.650821, hi: 2.008465 },
    ] },
    { name: "Public Service Delivery", lo: 5.680825, hi: 7.430041, subdimensions: [
      { name: "Public Health", lo: 1.46875, hi: 2.101797 },
      { name: "Public Primary Education", lo: 0.9367915, hi: 2.064651 },
      { name: "Basic Infrastructure", lo: 1.197825, hi: 2.463895 },
      { name: "Law and Order", lo: 1.223232, hi: 1.722771 },
    ] },
  ] },
  { year: 2012, provinces: 63, dimensions: [
    { name: "Participation at Local Levels", lo: 4.174857, hi: 6.18833, subdimensions: [
      { name: "Civic Knowledge", lo: 0.7256224, hi: 1.441644 },
      { name: "Opportunities for Participation", lo: 1.459829, hi: 2.08253 },
      { name: "Quality of Elections", lo: 1.109708, hi: 1.801411 },
      { name: "Voluntary Contributions", lo: 0.4868182, hi: 1.157007 },
    ] },
    { name: "Transparency", lo: 4.559778, hi: 6.948932, subdimensions: [
      { name: "Poverty Lists", lo: 1.514952, hi: 2.78653 },
      { name: "Communal Budget and Expenditure", lo: 1.331952, hi: 2.390714 },
      { name: "Land-Use Plans/Price Frames", lo: 1.261434, hi: 1.94478 },
    ] },
    { name: "Vertical Accountability", lo: 4.417272, hi: 6.96244, subdimensions: [
      { name: "Interactions With Local Authorities", lo: 1.253114, hi: 2.38581 },
      { name: "People's Inspection Boards", lo: 1.425023, hi: 2.66941 },
      { name: "Community Investment Boards", lo: 1.306363, hi: 2.303406 },
    ] },
    { name: "Control of Corruption", lo: 4.238368, hi: 7.176839, subdimensions: [
      { name: "Limits on Public Sector Corruption", lo: 0.905188, hi: 1.937432 },
      { name: "Limits on Corruption in Service Delivery", lo: 1.263393, hi: 2.153556 },
      { name: "Equity in Employment", lo: 0.484932, hi: 1.319494 },
      { name: "Willingness to Fight Corruption", lo: 1.25754, hi: 2.036111 },
    ] },
    { name: "Public Administrative Procedures", lo: 6.282346, hi: 7.554765, subdimensions: [
      { name: "Certification Procedures", lo: 1.499892, hi: 2.070739 },
      { name: "Construction Permits", lo: 1.533336, hi: 1.964161 },
      { name: "Land-Use Rights Procedures", lo: 1.181283, hi: 1.818995 },
      { name: "Personal Procedures", lo: 1.656617, hi: 2.055998 },
    ] },
    { name: "Public Service Delivery", lo: 5.915785, hi: 7.650003, subdimensions: [
      { name: "Public Health", lo: 1.563567, hi: 2.146648 },
      { name: "Public Primary Education", lo: 1.118943, hi: 2.056837 },
      { name: "Basic Infrastructure", lo: 1.279226, hi: 2.457927 },
      { name: "Law and Order", lo: 1.482798, hi: 1.764029 },
    ] },
  ] },
  { year: 2013, provinces: 63, dimensions: [
    { name: "Participation at Local Levels", lo: 4.322599, hi: 6.475642, subdimensions: [
      { name: "Civic Knowledge", lo: 0.7849512, hi: 1.591156 },
      { name: "Opportunities for Participation", lo: 1.342246, hi: 2.045056 },
      { name: "Quality of Elections", lo: 1.164293, hi: 1.864854 },
      { name: "Voluntary Contributions", lo: 0.4718445, hi: 1.334995 },
    ] },
    { name: "Transparency", lo: 4.883765, hi: 6.873847, subdimensions: [
      { name: "Poverty Lists", lo: 1.774712, hi: 2.860067 },
      { name: "Communal Budget and Expenditure", lo: 1.549038, hi: 2.466139 },
      { name: "Land-Use Plans/Price Frames", lo: 1.274568, hi: 1.910793 },
    ] },
    { name: "Vertical Accountability", lo: 4.627284, hi: 7.151485, subdimensions: [
      { name: "Interactions With Local Authorities", lo: 1.143371, hi: 2.361844 },
      { name: "People's Inspection Boards", lo: 1.617142, hi: 2.690928 },
      { name: "Community Investment Boards", lo: 1.353664, hi: 2.460328 },
    ] },
    { name: "Control of Corruption", lo: 4.677617, hi: 7.601068, subdimensions: [
      { name: "Limits on Public Sector Corruption", lo: 0.9910697, hi: 1.960102 },
      { name: "Limits on Corruption in Service Delivery", lo: 1.516329, hi: 2.1363 },
      { name: "Equity in Employment", lo: 0.6036804, hi: 1.634944 },
      { name: "Willingness to Fight Corruption", lo: 1.316738, hi: 2.056714 },
    ] },
    { name: "Public Administrative Procedures", lo: 6.248955, hi: 7.789495, subdimensions: [
      { name: "Certification Procedures", lo: 1.322692, hi: 2.256644 },
      { name: "Construction Permits", lo: 1.369513, hi: 1.953837 },
      { name: "Land-Use Rights Procedures", lo: 1.075621, hi: 1.934098 },
      { name: "Personal Procedures", lo: 1.669733, hi: 2.049695 },
    ] },
    { name: "Public Service Delivery", lo: 6.024926, hi: 7.759428, subdimensions: [
      { name: "Public Health", lo: 1.503184, hi: 2.215325 },
      { name: "Public Primary Education", lo: 1.281517, hi: 2.125665 },
      { name: "Basic Infrastructure", lo: 1.288843, hi: 2.462208 },
      { name: "Law and Order", lo: 1.491477, hi: 1.710406 },
    ] },
  ] },
  { year: 2014, provinces: 61, dimensions: [
    { name: "Participation at Local Levels", lo: 3.963161, hi: 5.893736, subdimensions: [
      { name: "Civic Knowledge", lo: 0.6304474, hi: 1.410795 },
      { name: "Opportunities for Participation", lo: 1.401194, hi: 1.920902 },
      { name: "Quality of Elections", lo: 1.093594, hi: 1.847357 },
      { name: "Voluntary Contributions", lo: 0.5705543, hi: 1.196777 },
    ] },
    { name: "Transparency", lo: 4.802773, hi: 6.822421, subdimensions: [
      { name: "Poverty Lists", lo: 1.843539, hi: 2.76008 },
      { name: "Communal Budget and Expenditure", lo: 1.443472, hi: 2.33175 },
      { name: "Land-Use Plans/Price Frames", lo: 1.243132, hi: 1.994743 },
    ] },
    { name: "Vertical Accountability", lo: 4.505553, hi: 6.667504, subdimensions: [
      { name: "Interactions With Local Authorities", lo: 1.154151, hi: 2.328705 },
      { name: "People's Inspection Boards", lo: 1.460708, hi: 2.340368 },
      { name: "Community Investment Boards", lo: 1.329323, hi: 2.364731 },
    ] },
    { name: "Control of Corruption", lo: 4.847033, hi: 7.285778, subdimensions: [
      { name: "Limits on Public Sector Corruption", lo: 1.006604, hi: 1.988206 },
      { name: "Limits on Corruption in Service Delivery", lo: 1.511186, hi: 2.098479 },
      { name: "Equity in Employment", lo: 0.5799037, hi: 1.49108 },
      { name: "Willingness to Fight Corruption", lo: 1.482172, hi: 2.071047 },
    ] },
    { name: "Public Administrative Procedures", lo: 6.402996, hi: 7.613504, subdimensions: [
      { name: "Certification Procedures", lo: 1.323638, hi: 2.013875 },
      { name: "Construction Permits", lo: 1.510256, hi: 1.94073 },
      { name: "Land-Use Rights Procedures", lo: 1.27538, hi: 1.77537 },
      { name: "Personal Procedures", lo: 1.697145, hi: 2.030766 },
    ] },
    { name: "Public Service Delivery", lo: 6.009086, hi: 7.859983, subdimensions: [
      { name: "Public Health", lo: 1.512394, hi: 2.113342 },
      { name: "Public Primary Education", lo: 1.264674, hi: 2.026866 },
      { name: "Basic Infrastructure", lo: 1.303057, hi: 2.462493 },
      { name: "Law and Order", lo: 1.522984, hi: 1.768724 },
    ] },
  ] },
  { year: 2015, provinces: 63, dimensions: [
    { name: "Participation at Local Levels", lo: 3.750853, hi: 6.444041, subdimensions: [
      { name: "Civic Knowledge", lo: 0.6185468, hi: 1.478603 },
      { name: "Opportunities for Participation", lo: 1.187189, hi: 1.842355 },
      { name: "Quality of Elections", lo: 1.045744, hi: 1.771838 },
      { name: "Voluntary Contributions", lo: 0.5033386, hi: 1.438603 },
    ] },
    { name: "Transparency", lo: 4.494574, hi: 7.239541, subdimensions: [
      { name: "Poverty Lists", lo: 1.523663, hi: 2.888942 },
      { name: "Communal Budget and Expenditure", lo: 1.243522, hi: 2.256596 },
      { name: "Land-Use Plans/Price Frames", lo: 1.157725, hi: 2.094003 },
    ] },
    { name: "Vertical Accountability", lo: 4.704545, hi: 7.505689, subdimensions: [
      { name: "Interactions With Local Authorities", lo: 1.420489, hi: 2.291253 },
      { name: "People's Inspection Boards", lo: 1.458492, hi: 2.656578 },
      { name: "Community Investment Boards", lo: 1.526434, hi: 2.742871 },
    ] },
    { name: "Control of Corruption", lo: 4.756369, hi: 7.270696, subdimensions: [
      { name: "Limits on Public Sector Corruption", lo: 0.9849114, hi: 2.037698 },
      { name: "Limits on Corruption in Service Delivery", lo: 1.479674, hi: 2.143176 },
      { name: "Equity in Employment", lo: 0.5770495, hi: 1.452014 },
      { name: "Willingness to Fight Corruption", lo: 1.395938, hi: 1.870981 },
    ] },
    { name: "Public Administrative Procedures", lo: 5.895106, hi: 7.506879, subdimensions: [
      { name: "Certification Procedures", lo: 1.137393, hi: 1.87679 },
      { name: "Construction Permits", lo: 1.374478, hi: 1.959335 },
      { name: "Land-Use Rights Procedures", lo: 1.106123, hi: 1.898227 },
      { name: "Personal Procedures", lo: 1.670103, hi: 2.035251 },
    ] },
    { name: "Public Service Delivery", lo: 6.318679, hi: 7.755996, subdimensions: [
      { name: "Public Health", lo: 1.434833, hi: 2.100504 },
      { name: "Public Primary Education", lo: 1.161729, hi: 2.022566 },
      { name: "Basic Infrastructure", lo: 1.270168, hi: 2.387806 },
      { name: "Law and Order", lo: 1.520714, hi: 1.757527 },
    ] },
  ] },
  { year: 2016, provinces: 63, dimensions: [
    { name: "Participation at Local Levels", lo: 4.429068, hi: 6.809287, subdimensions: [
      { name: "Civic Knowledge", lo: 0.7888912, hi: 1.498273 },
      { name: "Opportunities for Participation", lo: 1.55177, hi: 2.134479 },
      { name: "Quality of Elections", lo: 1.145342, hi: 1.867961 },
      { name: "Voluntary Contributions", lo: 0.5928609, hi: 1.418868 },
    ] },
    { name: "Transparency", lo: 4.811347, hi: 6.487867, subdimensions: [
      { name: "Poverty Lists", lo: 1.615362, hi: 2.765547 },
      { name: "Communal Budget and Expenditure", lo: 1.327672, hi: 2.111377 },
      { name: "Land-Use Plans/Price Frames", lo: 1.433774, hi: 2.072616 },
    ] },
    { name: "Vertical Accountability", lo: 4.133784, hi: 5.966983, subdimensions: [
      { name: "Interactions With Local Authorities", lo: 1.685562, hi: 2.593627 },
      { name: "Responsive to Citizen Actions", lo: 0.9532056, hi: 2.19709 },
      { name: "People's Inspection Boards", lo: 0.9991157, hi: 1.649352 },
    ] },
    { name: "Control of Corruption", lo: 4.312315, hi: 7.136063, subdimensions: [
      { name: "Limits on Public Sector Corruption", lo: 0.7040421, hi: 1.969557 },
      { name: "Limits on Corruption in Service Delivery", lo: 1.32491, hi: 2.090678 },
      { name: "Equity in Employment", lo: 0.6339025, hi: 1.451691 },
      { name: "Willingness to Fight Corruption", lo: 1.218257, hi: 1.921884 },
    ] },
    { name: "Public Administrative Procedures", lo: 6.635267, hi: 7.669574, subdimensions: [
      { name: "Certification Procedures", lo: 1.558108, hi: 2.056512 },
      { name: "Construction Permits", lo: 1.554802, hi: 1.976017 },
      { name: "Land-Use Rights Procedures", lo: 1.425204, hi: 1.894346 },
      { name: "Personal Procedures", lo: 1.755718, hi: 2.089433 },
    ] },
    { name: "Public Service Delivery", lo: 6.422164, hi: 8.027691, subdimensions: [
      { name: "Public Health", lo: 1.640388, hi: 2.168646 },
      { name: "Public Primary Education", lo: 1.218782, hi: 2.046406 },
      { name: "Basic Infrastructure", lo: 1.254817, hi: 2.430765 },
      { name: "Law and Order", lo: 1.492619, hi: 1.791682 },
    ] },
  ] },
];
