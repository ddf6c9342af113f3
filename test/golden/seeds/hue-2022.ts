/** Thừa Thiên Huế's published 2022 figures that more than one golden or server test reads. */

/** 205/KH-UBND, Phụ lục 3, 2022 column (004:288-314): the leader-survey item scores, out of 1. */
export const HUE_LEADER_ITEMS: Readonly<Record<string, number>> = {
  "2.4.1": 0.8034, "2.4.2": 0.7867, "2.4.3": 0.7733, "2.4.4": 0.8897,
  "4.1.4": 0.8004, "4.1.5": 0.7988, "4.1.6": 0.8116, "4.3.4": 0.8071,
  "5.2.a": 0.8099, "5.2.b": 0.8459, "5.3.a": 0.8139, "5.3.b": 0.8593, "5.5.a": 0.7605,
  "5.7.a": 0.7573, "5.7.b": 0.7364, "5.7.c": 0.8286, "5.7.d": 0.6696,
  "6.1.4": 0.7402, "6.2.4": 0.7578, "6.2.5": 0.7802, "6.3.5": 0.7329,
  "7.3.2": 0.8526,
};
