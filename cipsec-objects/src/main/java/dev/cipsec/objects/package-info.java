/**
 * The CIP object model (table-driven, after OpENer and Milo): data types, attributes, classes,
 * instances, services and the Message Router that dispatches requests to them.
 */
package dev.cipsec.objects;
