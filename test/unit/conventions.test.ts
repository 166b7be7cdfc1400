/**
 * Conventions are never called mistakes: each other library's way of doing what a lesson does (test/unit/mistakes/
 * <track>.ts, VARIANTS) is put into the reference solution; the check must accept it, or name it as that library's
 * convention. The catalogue runner checks each convention entry's wording in both languages.
 */
import { testLibraryVariants } from './catalogue';
import { LESSONS } from './helpers';
import { VARIANTS } from './mistakes';

testLibraryVariants(LESSONS, VARIANTS);
