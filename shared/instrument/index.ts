/** Questionnaire definitions: the schema, definition checks, the flattened view and form logic. */
export * from "./schema.js";
export { checkInstrument, zodErrors, type CheckResult, type DefinitionIssue } from "./check.js";
export { answerableQuestions, choicesOf, formItems, itemById, questionById, type AnswerableItem, type FormItem } from "./walk.js";
export { answerToValue, formLogic, formState, relevantAnswers, type FormLogic, type FormState, type ItemState, type LogicOptions } from "./logic.js";
export { isCalendarDate, validateAnswers } from "./validate.js";
