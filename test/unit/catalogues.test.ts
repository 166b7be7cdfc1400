/**
 * Every catalogued mistake of every lesson, through the one catalogue runner: each is put into the reference
 * solutions, only the check that catalogues it runs, in English and in Chinese, and it must be named with the
 * catalogue's own words. A catalogued mistake without a case fails the coverage test.
 */
import { testCatalogues } from './catalogue';
import { LESSONS } from './helpers';
import { CASES } from './mistakes';

testCatalogues(LESSONS, CASES);
