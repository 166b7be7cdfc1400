/** The course suite (test/unit/course-suite.ts) on lessons/: every reference passes, every scaffold fails. */
import { testCourse } from './course-suite';
import { LESSONS } from './helpers';

testCourse(LESSONS);
