// Clock times and shown dates as news pages write them, in many languages (ingest/news-page/clock.ts).
import { describe, expect, it } from 'vitest';
import { leadingTime, parseClock, parseDayHeading, parseTimeLabel } from '../src/ingest/news-page/clock.js';

describe('parseClock', () => {
  it.each([
    ['13:29', 13, 29],
    ['13.29', 13, 29],
    ['13h29', 13, 29],
    ['13 h 29', 13, 29],
    ['08h15', 8, 15],
    ['1:29 PM', 13, 29],
    ['6:17pm', 18, 17],
    ['12:05 am', 0, 5],
    ['12:51 PM', 12, 51],
    ['11:40 p.m.', 23, 40],
    ['18:05 Uhr', 18, 5],
    ['0:07', 0, 7],
  ])('reads %s as %i:%i', (text, hour, minute) => {
    expect(parseClock(text)).toEqual({ hour, minute });
  });

  it('keeps seconds when the page shows them', () => {
    expect(parseClock('13:29:41')).toEqual({ hour: 13, minute: 29, second: 41 });
    expect(parseClock('13:29:61')).toBeUndefined();
  });

  it.each(['24:00', '25:10', '13:60', '13:7', '0:00 pm', '13:29 pm', '3.45 million', '1329', ''])('refuses %s', (text) => {
    expect(parseClock(text)).toBeUndefined();
  });
});

describe('parseTimeLabel', () => {
  it('reads a bare clock with no day', () => {
    expect(parseTimeLabel('13h29')).toEqual({ hour: 13, minute: 29, text: '13h29' });
  });

  it.each([
    ['22 сентября 2021, 13:29', { kind: 'date', year: 2021, month: 9, day: 22 }],
    ['22 września 2021, 13:29', { kind: 'date', year: 2021, month: 9, day: 22 }],
    ['22 septembre 2021 à 13h29', { kind: 'date', year: 2021, month: 9, day: 22 }],
    ['September 22, 2021 1:29 PM', { kind: 'date', year: 2021, month: 9, day: 22 }],
    ['10 may. 2022 - 13:29', { kind: 'date', year: 2022, month: 5, day: 10 }],
    ['12 juni 13:29', { kind: 'date', month: 6, day: 12 }],
    ['3 de outubro, 13:29', { kind: 'date', month: 10, day: 3 }],
    ['mercredi 22 septembre 13:29', { kind: 'date', month: 9, day: 22 }],
    ['02.11. 13:29', { kind: 'date', month: 11, day: 2 }],
    ['18.2. 13:29', { kind: 'date', month: 2, day: 18 }],
    ['28-09 13:29', { kind: 'date', month: 9, day: 28 }],
    ['22.09.2021 13:29', { kind: 'date', year: 2021, month: 9, day: 22 }],
    ['2021-09-22 13:29', { kind: 'date', year: 2021, month: 9, day: 22 }],
    ['Yesterday 13:29', { kind: 'relative', daysAgo: 1 }],
    ['Вчера, 13:29', { kind: 'relative', daysAgo: 1 }],
    ['Ieri 13:29', { kind: 'relative', daysAgo: 1 }],
    ['Hier à 13h29', { kind: 'relative', daysAgo: 1 }],
    ['Gestern, 13:29 Uhr', { kind: 'relative', daysAgo: 1 }],
    ['Ayer 13:29', { kind: 'relative', daysAgo: 1 }],
    ["Aujourd'hui 13h29", { kind: 'relative', daysAgo: 0 }],
    ['Heute, 13:29 Uhr', { kind: 'relative', daysAgo: 0 }],
    ['Today 13:29', { kind: 'relative', daysAgo: 0 }],
    ['Сегодня, 13:29', { kind: 'relative', daysAgo: 0 }],
    ['Oggi 13.29', { kind: 'relative', daysAgo: 0 }],
    ['Hoy 13:29', { kind: 'relative', daysAgo: 0 }],
    ['gisteren 13:29', { kind: 'relative', daysAgo: 1 }],
    ['wczoraj, godz. 13:29', { kind: 'relative', daysAgo: 1 }],
  ])('reads the day in "%s"', (text, day) => {
    const label = parseTimeLabel(text);
    expect(label?.day).toEqual(day);
    expect([label?.hour, label?.minute]).toEqual([13, 29]);
  });

  it('reads a Japanese month/day with its weekday, month first', () => {
    expect(parseTimeLabel('3/9(木) 7:20', 'month-first')).toEqual({ hour: 7, minute: 20, day: { kind: 'date', month: 3, day: 9 }, text: '3/9(木) 7:20' });
  });

  it('reads slash dates day first unless told otherwise', () => {
    expect(parseTimeLabel('3/9 7:20')?.day).toEqual({ kind: 'date', month: 9, day: 3 });
    expect(parseTimeLabel('3/9 7:20', 'month-first')?.day).toEqual({ kind: 'date', month: 3, day: 9 });
  });

  it.each([
    ['31 февраля 2021, 13:29', 'a day February lacks'],
    ['29.02.2021 13:29', 'February 29 of a common year'],
    ['32.01. 13:29', 'day 32'],
    ['13.13. 13:29', 'month 13'],
    ['Yesterday 25:10', 'hour 25'],
    ['09:00 – 18:30', 'a range of opening hours'],
    ['20:15 - 21:00', 'a programme slot'],
    ['The mayor spoke at 13:29 in the square', 'a sentence holding a time'],
    ['Ranked 13:29 overall', 'a score-like text'],
  ])('refuses "%s" (%s)', (text) => {
    expect(parseTimeLabel(text)).toBeUndefined();
  });

  it('allows February 29 when no year is shown, since a leap year may be meant', () => {
    expect(parseTimeLabel('29.02. 13:29')?.day).toEqual({ kind: 'date', month: 2, day: 29 });
  });
});

describe('parseDayHeading', () => {
  it.each([
    ['21 сентября', { kind: 'date', month: 9, day: 21 }],
    ['Сентябрь 21', { kind: 'date', month: 9, day: 21 }],
    ['Ieri', { kind: 'relative', daysAgo: 1 }],
    ['Hier', { kind: 'relative', daysAgo: 1 }],
    ['Vorgestern', { kind: 'relative', daysAgo: 2 }],
    ['Monday 3 March 2025', { kind: 'date', year: 2025, month: 3, day: 3 }],
    ['3 de marzo de 2025', { kind: 'date', year: 2025, month: 3, day: 3 }],
    ['22. Oktober', { kind: 'date', month: 10, day: 22 }],
    ['Sept. 22', { kind: 'date', month: 9, day: 22 }],
    ['12 stycznia', { kind: 'date', month: 1, day: 12 }],
    ['1 januari 2024', { kind: 'date', year: 2024, month: 1, day: 1 }],
  ])('reads "%s"', (text, day) => {
    expect(parseDayHeading(text)).toEqual(day);
  });

  it.each(['Latest news', '21 reasons to visit', 'Mayday', '31 June', 'En continu'])('refuses "%s"', (text) => {
    expect(parseDayHeading(text)).toBeUndefined();
  });
});

describe('leadingTime', () => {
  it('splits a time opening an item from the text after it', () => {
    expect(leadingTime('22:10 Polls have closed in Northgate')).toEqual({ time: { hour: 22, minute: 10, text: '22:10' }, rest: 'Polls have closed in Northgate' });
    expect(leadingTime('Gestern, 18:05 Uhr – Handballer ziehen ins Achtelfinale ein')?.time.day).toEqual({ kind: 'relative', daysAgo: 1 });
  });

  it('finds none in text that does not open with a time', () => {
    expect(leadingTime('Polls closed at 22:10 in Northgate')).toBeUndefined();
    expect(leadingTime('3.45 million people voted')).toBeUndefined();
  });
});
